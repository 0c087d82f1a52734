"""The public directory of named projects (Art. 11); no token needed."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.openapi import error_responses
from api.routes.projects import DistrictFilter, known_district
from api.schemas import DirectoryEntry
from api.services.directory import directory as directory_entries
from domain.stages import Level

router = APIRouter(prefix="/v1", tags=["公开名录"])


@router.get(
    "/directory",
    summary="已命名项目名录",
    response_description="有效命名的项目",
    description="公开：名称、级别、所在区、类型、产业（区域）、服务事项和联系方式（第十一条）。无需凭证。",
    responses=error_responses(422, 503),
)
async def directory(
    session: SessionDep,
    district: DistrictFilter = None,
    level: Annotated[Level | None, Query(description="级别：district 或 municipal")] = None,
) -> list[DirectoryEntry]:
    """Projects with an active name."""
    return await directory_entries(session=session, district=known_district(district), level=level)
