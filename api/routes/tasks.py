"""The tasks inbox."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth import CallerDep
from api.deps import SessionDep
from api.openapi import error_responses
from api.schemas import TaskRead
from api.services.tasks import list_tasks

router = APIRouter(prefix="/v1", tags=["待办"])

TOTAL_HEADER = "X-Total-Count"


@router.get(
    "/tasks",
    summary="待办事项",
    response_description=f"按到期日排列的待办；响应头 {TOTAL_HEADER} 为待办总数",
    description="等待调用者作出的决定，按到期日先后排列，逾期的标明 overdue。"
    "区市场监管局：本区待办及本区待报送的区级报告；市市场监管局：本局待办及逾期报督办的区局待办"
    "和区级报告；实施单位：待报送的数据和整改期内待提交的整改报告；平台运营方：全部待办。"
    "不带 limit 时返回全部；带 limit 时返回从 offset 起的一页（顺序不变）。",
    responses=error_responses(401, 422, 503),
)
async def tasks(
    response: Response,
    session: SessionDep,
    caller: CallerDep,
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description="每页条数；不填则返回全部")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="起始位置")] = 0,
) -> list[TaskRead]:
    """The decisions waiting for the caller, earliest due first; all, or one page."""
    page = await list_tasks(session=session, caller=caller, limit=limit, offset=offset)
    response.headers[TOTAL_HEADER] = str(page.total)
    return page.items
