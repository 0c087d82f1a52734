"""The inbox (`/console`): what waits for the signed-in person, earliest due first, in pages."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import SessionDep
from api.services.tasks import list_tasks
from console.auth import SignedInDep
from console.templating import render

router = APIRouter(prefix="/console")

PAGE_SIZE = 50


@router.get("")
async def inbox(
    request: Request,
    session: SessionDep,
    who: SignedInDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The caller's tasks (the same list as GET /v1/tasks), PAGE_SIZE to a page."""
    found = await list_tasks(
        session=session, caller=who.caller, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    pages = max(1, -(-found.total // PAGE_SIZE))
    if page > pages:  # past the end (the list shrank since): the last page
        page = pages
        found = await list_tasks(
            session=session, caller=who.caller, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return render(
        request,
        "inbox.html",
        who=who,
        tasks=found.items(),
        total=found.total,
        page=page,
        pages=pages,
    )
