"""What the console's lists ask the read model for that the API's list does not offer: a filter
by project type and a search on name, focus and unit, in the caller's scope (api.services.scope).
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import ProjectSummary
from api.services.scope import scope_clause
from api.services.tokens import Caller
from api.services.views import SUMMARY_COLUMNS, project_summary
from db import tables
from domain.project import ProjectType
from domain.stages import Level, Stage

PAGE_SIZE = 20
MAX_SEARCH = 50


@dataclass(frozen=True)
class ProjectFilters:
    """The list's filters as the page's form gives them; each None when not chosen."""

    district: str | None = None
    stage: Stage | None = None
    level: Level | None = None
    type: ProjectType | None = None
    search: str = ""
    page: int = 1


@dataclass(frozen=True)
class ProjectList:
    items: list[ProjectSummary]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_projects(
    session: AsyncSession, *, caller: Caller, filters: ProjectFilters
) -> ProjectList:
    """One page of the projects in the caller's scope matching the filters, newest first."""
    where = [scope_clause(caller)]
    if filters.district:
        where.append(tables.Project.district == filters.district)
    if filters.stage:
        where.append(tables.Project.stage == filters.stage.value)
    if filters.level:
        where.append(tables.Project.level == filters.level.value)
    if filters.type:
        where.append(tables.Project.type == filters.type.value)
    search = filters.search.strip()[:MAX_SEARCH]
    if search:
        pattern = _like(search)
        where.append(
            or_(
                tables.Project.display_name.ilike(pattern, escape="\\"),
                tables.Project.focus.ilike(pattern, escape="\\"),
                tables.Project.unit_name.ilike(pattern, escape="\\"),
            )
        )
    total = await session.scalar(select(func.count()).select_from(tables.Project).where(*where))
    pages = max(1, -(-(total or 0) // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    rows = await session.execute(
        select(*SUMMARY_COLUMNS)
        .where(*where)
        .order_by(tables.Project.registered_at.desc(), tables.Project.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return ProjectList(
        items=[project_summary(row) for row in rows], total=total or 0, page=page, pages=pages
    )
