"""`GET /v1/directory`: the entries PostgreSQL writes are the ones the published rules give
(checked against a plain Python reading of the same rows), and the optional paging: a stable
order, pages that add up to the whole list, the total in `X-Total-Count`, bounds refused. The
whole list's copy in the API process and its ETag: 304 while unchanged, the new list at once
after any write."""

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.schemas import DirectoryEntry, NationalBaseMark, TypicalCaseRead
from api.services.directory import WholeDirectory
from api.services.views import contact_read, service_item_read
from db import directory, tables
from domain.districts import district_name
from domain.project import ProjectSpec
from domain.stages import Level
from tests.api.helpers import Api
from tests.api.seeds import seed_named_projects

RANK = {"municipal": 2, "district": 1}


async def _reference(
    sessions: async_sessionmaker[AsyncSession], district: str | None, level: Level | None
) -> list[dict[str, Any]]:
    """The directory as the rules say, read in Python with pydantic (the former service)."""
    async with sessions() as session:
        query = (
            select(tables.Name, tables.Project)
            .join(tables.Project, tables.Project.id == tables.Name.project_id)
            .outerjoin(tables.NameEnding, tables.NameEnding.name_key == tables.Name.key)
            .where(tables.NameEnding.id.is_(None))
        )
        best: dict[str, tuple[tables.Name, tables.Project]] = {}
        for name, project in await session.execute(query):
            held = best.get(project.id)
            if held is None or RANK[name.level] > RANK[held[0].level]:
                best[project.id] = (name, project)
    entries = []
    for name, project in best.values():
        spec = ProjectSpec.model_validate(project.spec)
        if (district and spec.district != district) or (level and name.level != level.value):
            continue
        name_level = Level(name.level)
        entry = DirectoryEntry(
            name=name.name,
            level=name_level,
            level_label=name_level.label,
            named_on=name.granted_on,
            district=spec.district,
            district_name=district_name(spec.district),
            type=spec.type,
            type_label=spec.type.label,
            focus=spec.focus,
            unit_name=spec.unit.name,
            service_items=[service_item_read(i) for i in spec.service_items],
            contact=contact_read(spec.unit.contact),
            typical_case=TypicalCaseRead.model_validate(project.typical_case)
            if project.typical_case
            else None,
            national_base=NationalBaseMark(recommended_on=project.national_base_on)
            if project.national_base_on and name_level is Level.MUNICIPAL
            else None,
        )
        entries.append((project.id, entry))
    entries.sort(key=lambda e: (-RANK[e[1].level.value], e[1].district, e[1].name, e[0]))
    return [e.model_dump(mode="json") for _, e in entries]


FILTERS = [
    pytest.param({}, None, None, id="all"),
    pytest.param({"district": "310104"}, "310104", None, id="district"),
    pytest.param({"level": "municipal"}, None, Level.MUNICIPAL, id="municipal"),
    pytest.param({"level": "district", "district": "310115"}, "310115", Level.DISTRICT, id="both"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "district", "level"), FILTERS)
async def test_the_directory_publishes_each_named_project_under_its_highest_name(
    api: Api, params: dict[str, str], district: str | None, level: Level | None
) -> None:
    await seed_named_projects(api.sessions)
    expected = await _reference(api.sessions, district, level)
    assert expected, "the seed names some projects"
    if not params:  # the seed has every case
        assert {e["level"] for e in expected} == {"district", "municipal"}
        assert any(e["national_base"] for e in expected)
        assert any(e["typical_case"] for e in expected)
        assert any(len(e["service_items"]) > 1 for e in expected)
        shown = [(e["district"], e["name"]) for e in expected]
        assert len(set(shown)) < len(shown), "two entries share a district and a name"
    response = await api.get("/v1/directory", params=params, who=None)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert "x-total-count" not in response.headers
    assert response.json() == expected
    assert "内部" not in response.text
    assert "internal-task" not in response.text


async def test_pages_follow_one_order_and_add_up_to_the_whole_list(api: Api) -> None:
    await seed_named_projects(api.sessions)
    whole = (await api.get("/v1/directory", who=None)).json()
    for limit in (1, 4, 1000):
        pages: list[dict[str, Any]] = []
        offset = 0
        while True:
            response = await api.get(
                "/v1/directory", params={"limit": str(limit), "offset": str(offset)}, who=None
            )
            assert response.status_code == 200, response.text
            assert response.headers["x-total-count"] == str(len(whole))
            page = response.json()
            assert len(page) <= limit
            if not page:
                break
            pages += page
            offset += limit
        assert pages == whole, f"limit {limit}"
    # The same page twice is the same page; a filter pages within what it matches.
    again = [(await api.get("/v1/directory?limit=5&offset=3", who=None)).json() for _ in range(2)]
    assert again[0] == again[1] == whole[3:8]
    municipal = await api.get("/v1/directory?level=municipal&limit=2", who=None)
    every_municipal = [e for e in whole if e["level"] == "municipal"]
    assert municipal.json() == every_municipal[:2]
    assert municipal.headers["x-total-count"] == str(len(every_municipal))
    past = await api.get("/v1/directory?limit=10&offset=5000", who=None)
    assert past.json() == []
    assert past.headers["x-total-count"] == str(len(whole))


BAD_PAGES = [
    pytest.param({"limit": "0"}, "limit", "不能小于1", id="limit-zero"),
    pytest.param({"limit": "1001"}, "limit", "不能大于1000", id="limit-too-big"),
    pytest.param({"limit": "many"}, "limit", "整数", id="limit-text"),
    pytest.param({"limit": "10", "offset": "-1"}, "offset", "不能小于0", id="offset-negative"),
    pytest.param({"limit": "10", "offset": "1000001"}, "offset", "不能大于", id="offset-huge"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "field", "words"), BAD_PAGES)
async def test_page_bounds_are_refused_naming_the_field(
    api: Api, params: dict[str, str], field: str, words: str
) -> None:
    response = await api.get("/v1/directory", params=params, who=None)
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert any(p["field"] == field and words in p["message"] for p in problems), problems


NEW_PERSON = "新联系人"


async def _change_contact(sessions: async_sessionmaker[AsyncSession], project_id: str) -> None:
    """A change to one entry that keeps the number of entries, written as a step writes it."""
    spec = tables.Project.spec
    person = func.jsonb_set(spec, ["unit", "contact", "person"], func.to_jsonb(NEW_PERSON))
    async with sessions.begin() as session:
        await session.execute(
            update(tables.Project).where(tables.Project.id == project_id).values(spec=person)
        )
        await directory.refresh(session, project_id)


async def _end_name(sessions: async_sessionmaker[AsyncSession], project_id: str) -> None:
    """Every active name of the project ended: its entry leaves the directory."""
    async with sessions.begin() as session:
        for name in await session.scalars(
            select(tables.Name).where(tables.Name.project_id == project_id)
        ):
            session.add(
                tables.NameEnding(
                    name_key=name.key,
                    kind="revoked",
                    ended_on=date(2026, 6, 1),
                    ended_at=name.granted_at,
                    ended_by="municipal_bureau",
                    reason="测试",
                )
            )
        await session.flush()
        await directory.refresh(session, project_id)


async def test_the_whole_directory_answers_304_until_any_entry_changes(api: Api) -> None:
    await seed_named_projects(api.sessions)
    first = await api.get("/v1/directory", who=None)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag[0] == etag[-1] == '"'
    assert first.headers["cache-control"] == "no-cache"
    assert first.json() == await _reference(api.sessions, None, None)

    async def asked(tags: str) -> httpx.Response:
        return await api.http.get("/v1/directory", headers={"If-None-Match": tags})

    for tags in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        unchanged = await asked(tags)
        assert unchanged.status_code == 304, tags
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == etag
    assert (await asked('"other"')).status_code == 200

    # One entry changes, the number of entries does not.
    shown = first.json()
    named = shown[0]
    project_id = await _project_of(api.sessions, named["name"], named["district"])
    await _change_contact(api.sessions, project_id)
    renamed = await asked(etag)
    assert renamed.status_code == 200
    assert renamed.headers["etag"] != etag
    assert renamed.json() == await _reference(api.sessions, None, None)
    assert len(renamed.json()) == len(shown)
    assert renamed.json() != shown
    assert renamed.json()[0]["contact"]["person"] == NEW_PERSON

    # An entry leaves.
    await _end_name(api.sessions, project_id)
    fewer = await asked(renamed.headers["etag"])
    assert fewer.status_code == 200
    assert fewer.json() == await _reference(api.sessions, None, None)
    assert len(fewer.json()) == len(shown) - 1
    assert fewer.headers["etag"] not in (etag, renamed.headers["etag"])

    # A filtered list or a page is read each time and carries no ETag.
    for params in ({"district": named["district"]}, {"limit": "5"}):
        response = await api.http.get(
            "/v1/directory", params=params, headers={"If-None-Match": "*"}
        )
        assert response.status_code == 200
        assert "etag" not in response.headers


async def _project_of(sessions: async_sessionmaker[AsyncSession], name: str, district: str) -> str:
    async with sessions() as session:
        project_id = await session.scalar(
            select(tables.DirectoryEntry.project_id).where(
                tables.DirectoryEntry.name == name, tables.DirectoryEntry.district == district
            )
        )
    assert project_id is not None
    return project_id


async def test_each_process_reads_the_entries_again_only_once_they_changed(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Two API processes' copies (two `WholeDirectory`s): each asks the version every time,
    reads the entries only when it moved, and both give the list as it now is."""
    await seed_named_projects(session_factory)
    statements: list[str] = []

    def count(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        ours, theirs = WholeDirectory(), WholeDirectory()

        async def read(copy: WholeDirectory) -> tuple[str, bytes, int]:
            statements.clear()
            async with session_factory() as session:
                version, body = await copy.read(session)
            return version, body, sum("json_agg" in s for s in statements)

        version, body, entry_reads = await read(ours)
        assert entry_reads == 1
        assert await read(ours) == (version, body, 0)
        assert await read(theirs) == (version, body, 1)

        project_id = await _project_of_first(session_factory)
        await _change_contact(session_factory, project_id)
        for copy in (ours, theirs):
            new_version, new_body, entry_reads = await read(copy)
            assert new_version != version
            assert new_body != body
            assert entry_reads == 1
            assert NEW_PERSON.encode() in new_body
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _project_of_first(sessions: async_sessionmaker[AsyncSession]) -> str:
    async with sessions() as session:
        project_id = await session.scalar(select(tables.DirectoryEntry.project_id).limit(1))
    assert project_id is not None
    return project_id
