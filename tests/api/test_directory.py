"""`GET /v1/directory`: the entries PostgreSQL writes are the ones the published rules give
(checked against a plain Python reading of the same rows), and the optional paging: a stable
order, pages that add up to the whole list, the total in `X-Total-Count`, bounds refused."""

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.schemas import DirectoryEntry, NationalBaseMark, TypicalCaseRead
from api.services.views import contact_read, service_item_read
from db import tables
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
