"""Named projects written straight into the read model, for the directory's tests: every case
the directory publishes differently (tests/api/test_directory.py, tests/console). Their
directory entries are derived as the store derives them (db.directory.refresh)."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import directory, tables
from domain.districts import district_name
from domain.project import ProjectSpec
from tests.helpers import make_spec

DISTRICTS = ("310115", "310104", "310101")
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _spec(n: int, district: str) -> ProjectSpec:
    spec = make_spec(focus=f"产业{n}", district=district)
    items = [{"element": "standards", "title": f"标准服务{n}"}, *spec.model_dump()["service_items"]]
    return spec.model_copy(
        update={"service_items": [type(spec.service_items[0]).model_validate(i) for i in items]}
        if n % 3 == 0
        else {}
    )


async def seed_named_projects(sessions: async_sessionmaker[AsyncSession], count: int = 41) -> None:
    """Projects named at one or both levels, some names ended, some never named; some with a
    typical case, some marked for the national base (shown only under a municipal name); two
    projects share a name in one district, so only their ids order them."""
    projects, names, endings = [], [], []
    for n in range(count):
        pid = f"dir{n:03d}"
        district = DISTRICTS[n % len(DISTRICTS)]
        spec = _spec(n, district)
        levels = ["district", "municipal"][: (n // 3) % 3] if n % 7 else []
        name = f"{district_name(district)}产业{8 if n == 26 else n}服务项目"
        for level in levels:
            key = f"{pid}/{level}"
            names.append(
                tables.Name(
                    key=key,
                    project_id=pid,
                    level=level,
                    name=name,
                    granted_on=date(2024, 1, 1) + timedelta(days=n),
                    granted_at=NOW,
                    granted_by=f"{level}_bureau",
                )
            )
            if n % 5 == 0 and level == levels[-1]:
                endings.append(
                    tables.NameEnding(
                        name_key=key,
                        kind="cancelled",
                        ended_on=date(2025, 1, 1),
                        ended_at=NOW,
                        ended_by="district_bureau",
                        reason="内部理由",
                    )
                )
        projects.append(
            tables.Project(
                id=pid,
                credit_code=spec.unit.credit_code,
                unit_name=spec.unit.name,
                district=district,
                type=spec.type.value,
                focus=spec.focus,
                display_name=name,
                stage="district_named",
                level=levels[-1] if levels else "none",
                next_deadline=None,
                spec=spec.model_dump(mode="json"),
                state_seq=3,
                registered_at=NOW,
                tasks=[{"kind": "internal-task"}] if n % 2 else [],
                typical_case=(
                    {"title": f"案例{n}", "summary": "摘要", "selected_on": "2025-03-01"}
                    if n % 4 == 0
                    else None
                ),
                national_base_on=date(2025, 4, 1) if n % 6 == 1 or n % 6 == 2 else None,
            )
        )
    async with sessions.begin() as session:
        session.add_all(projects)
        await session.flush()
        session.add_all(names)
        await session.flush()
        session.add_all(endings)
        await session.flush()
        # As the step's transaction does after writing a project's row and names.
        for project in projects:
            await directory.refresh(session, project.id)
