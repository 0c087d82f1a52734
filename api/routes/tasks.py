"""The tasks inbox."""

from fastapi import APIRouter

from api.auth import CallerDep
from api.deps import SessionDep
from api.openapi import error_responses
from api.schemas import TaskRead
from api.services.tasks import list_tasks

router = APIRouter(prefix="/v1", tags=["待办"])


@router.get(
    "/tasks",
    summary="待办事项",
    response_description="按到期日排列的待办",
    description="等待调用者作出的决定，按到期日先后排列，逾期的标明 overdue。"
    "区市场监管局：本区待办；市市场监管局：本局待办及逾期报督办的区局待办；"
    "实施单位：整改期内待提交的整改报告；平台运营方：全部待办。",
    responses=error_responses(401, 503),
)
async def tasks(session: SessionDep, caller: CallerDep) -> list[TaskRead]:
    """The decisions waiting for the caller, earliest due first."""
    return await list_tasks(session=session, caller=caller)
