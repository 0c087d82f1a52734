"""The projects list (`/console/projects`): the caller's scope, filters, search, pages."""

from enum import StrEnum
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import SessionDep
from console.auth import SignedInDep
from console.queries import ProjectFilters, find_projects
from console.templating import render
from domain.actors import Role
from domain.districts import DISTRICTS
from domain.project import ProjectType
from domain.stages import Level, Stage

router = APIRouter(prefix="/console")

E = TypeVar("E", bound=StrEnum)
Text = Annotated[str, Query(max_length=100)]


def _chosen(kind: type[E], value: str) -> E | None:
    """The member a filter's select gave, or None for “all” (or anything unknown)."""
    try:
        return kind(value)
    except ValueError:
        return None


@router.get("/projects")
async def projects(
    request: Request,
    session: SessionDep,
    who: SignedInDep,
    district: Text = "",
    stage: Text = "",
    level: Text = "",
    type: Text = "",
    q: Text = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """One page of the projects the caller may see."""
    filters = ProjectFilters(
        district=district if district in DISTRICTS else None,
        stage=_chosen(Stage, stage),
        level=_chosen(Level, level),
        type=_chosen(ProjectType, type),
        search=q,
        page=page,
    )
    found = await find_projects(session, caller=who.caller, filters=filters)
    kept = {k: v for k, v in request.query_params.items() if k != "page" and v}

    def page_url(number: int) -> str:
        """This list with the same filters, at page `number`."""
        return "/console/projects?" + urlencode({**kept, "page": number})

    return render(
        request,
        "projects.html",
        who=who,
        found=found,
        filters=filters,
        districts=DISTRICTS if who.caller.role is not Role.DISTRICT_BUREAU else {},
        stages=list(Stage),
        levels=list(Level),
        types=list(ProjectType),
        page_url=page_url,
    )
