"""The public directory of named projects (Art. 11); no token needed."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from api.deps import ResourcesDep, SessionDep
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
    f"响应头 {TOTAL_HEADER} 给出符合条件的总数。"
    "不带任何参数时（全部名录）响应带 ETag：以 If-None-Match 重发，名录未变时返回 304，不重复传输。",
    responses={
        200: {
            "headers": {
                TOTAL_HEADER: {
                    "description": "符合条件的项目总数（仅在带 limit 时给出）",
                    "schema": {"type": "integer"},
                },
                "ETag": {
                    "description": "全部名录的版本（仅在不带参数时给出）",
                    "schema": {"type": "string"},
                },
            }
        },
        304: {"description": "If-None-Match 与当前版本相符：名录未变，不带内容"},
        **error_responses(422, 503),
    },
)
async def directory(
    session: SessionDep,
    resources: ResourcesDep,
    district: DistrictFilter = None,
    level: Annotated[Level | None, Query(description="级别：district 或 municipal")] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=MAX_LIMIT, description="每页条数；不带时返回全部")
    ] = None,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="起始位置（仅与 limit 一起使用）")
    ] = 0,
    if_none_match: Annotated[
        str | None, Header(description="上次得到的 ETag（仅用于全部名录）", max_length=1000)
    ] = None,
) -> Response:
    """Projects with an active name: all of them, or one page with the total in a header."""
    if district is None and level is None and limit is None:
        return await _whole(session, resources, if_none_match)
    page = await directory_page(
        session=session,
        district=known_district(district),
        level=level,
        limit=limit,
        offset=offset if limit is not None else 0,
    )
    headers = {TOTAL_HEADER: str(page.total)} if limit is not None else None
    return Response(page.body, media_type="application/json", headers=headers)


async def _whole(
    session: SessionDep, resources: ResourcesDep, if_none_match: str | None
) -> Response:
    """The whole directory with its version as ETag; 304 when the caller has that version.
    `no-cache`: a cache may keep it but asks each time (a change shows at once)."""
    version, body = await resources.directory.read(session)
    headers = {"ETag": f'"{version}"', "Cache-Control": "no-cache"}
    if if_none_match is not None and _matches(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match holds `*` or the tag, compared weakly (RFC 9110, section 13.1.2)."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
