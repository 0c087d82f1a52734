"""The inbox (`/console`): what waits for the signed-in person, earliest due first."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import SessionDep
from api.services.tasks import list_tasks
from console.auth import SignedInDep
from console.templating import render

router = APIRouter(prefix="/console")


@router.get("")
async def inbox(request: Request, session: SessionDep, who: SignedInDep) -> Response:
    """The caller's tasks (the same list as GET /v1/tasks)."""
    tasks = await list_tasks(session=session, caller=who.caller)
    return render(request, "inbox.html", who=who, tasks=tasks)
