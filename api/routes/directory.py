"""The public directory of named projects (Art. 11); no token needed."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import SessionDep
from api.openapi import TOTAL_HEADER, error_responses
from api.routes.projects import DistrictFilter, known_district
from api.schemas import DirectoryEntry
from api.services.directory import MAX_LIMIT, MAX_OFFSET, directory_page
from domain.stages import Level

router = APIRouter(prefix="/v1", tags=["公开名录"])


@router.get(
    "/directory",
    summary="已命名项目名录",
    response_model=list[DirectoryEntry],
    response_description="有效命名的项目",
    description="公开：名称、级别、所在区、类型、产业（区域）、服务事项和联系方式（第十一条）。无需凭证。"
    "不带 limit 时返回全部；带 limit 时返回其中一页（顺序固定：市级在前，再按区代码、名称），"
    f"响应头 {TOTAL_HEADER} 给出符合条件的总数。",
    responses={
        200: {
            "headers": {
                TOTAL_HEADER: {
                    "description": "符合条件的项目总数（仅在带 limit 时给出）",
                    "schema": {"type": "integer"},
                }
            }
        },
        **error_responses(422, 503),
    },
)
async def directory(
    session: SessionDep,
    district: DistrictFilter = None,
    level: Annotated[Level | None, Query(description="级别：district 或 municipal")] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=MAX_LIMIT, description="每页条数；不带时返回全部")
    ] = None,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="起始位置（仅与 limit 一起使用）")
    ] = 0,
) -> Response:
    """Projects with an active name: all of them, or one page with the total in a header."""
    page = await directory_page(
        session=session,
        district=known_district(district),
        level=level,
        limit=limit,
        offset=offset if limit is not None else 0,
    )
    headers = {TOTAL_HEADER: str(page.total)} if limit is not None else None
    return Response(page.body, media_type="application/json", headers=headers)
