"""The tasks inbox."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth import CallerDep
from api.deps import ResourcesDep, SessionDep
from api.openapi import TOTAL_HEADER, error_responses
from api.schemas import TaskRead
from api.services.tasks import list_tasks

router = APIRouter(prefix="/v1", tags=["待办"])


@router.get(
    "/tasks",
    summary="待办事项",
    response_model=list[TaskRead],
    response_description="按到期日排列的待办",
    description="等待调用者作出的决定，按到期日先后排列，逾期的标明 overdue。"
    "区市场监管局：本区待办及本区待报送的区级报告；市市场监管局：本局待办及逾期报督办的区局待办"
    "和区级报告；实施单位：待报送的数据和整改期内待提交的整改报告；平台运营方：全部待办。"
    f"不带 limit 时返回全部；带 limit 时返回从 offset 起的一页（顺序不变）。响应头 {TOTAL_HEADER} "
    "给出待办总数。",
    responses={
        200: {
            "headers": {TOTAL_HEADER: {"description": "待办总数", "schema": {"type": "integer"}}}
        },
        **error_responses(401, 422, 503),
    },
)
async def tasks(
    session: SessionDep,
    resources: ResourcesDep,
    caller: CallerDep,
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description="每页条数；不填则返回全部")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="起始位置")] = 0,
) -> Response:
    """The decisions waiting for the caller, earliest due first; all, or one page. The items
    come written as JSON (api.services.tasks) and are sent as they are."""
    page = await list_tasks(
        session=session, caller=caller, limit=limit, offset=offset, inboxes=resources.inboxes
    )
    return Response(
        page.body,
        media_type="application/json",
        headers={TOTAL_HEADER: str(page.total)},
    )
