"""Projects: register, import, list, read (docs/api-guide.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from api.auth import CallerDep, require_roles
from api.deps import PolicyDep, SessionDep, SessionsDep, TemporalDep
from api.errors import InvalidInput
from api.examples import IMPORTED_DISTRICT, IMPORTED_MUNICIPAL, PROJECT, REGIONAL_PROJECT
from api.openapi import IdempotencyKey, error_responses
from api.responses import json_answer
from api.schemas import ProjectCreate, ProjectImport, ProjectPage, ProjectRead
from api.services import projects
from api.services.tokens import Caller
from domain.actors import Role
from domain.districts import DISTRICTS, is_district
from domain.stages import Level, Stage

router = APIRouter(prefix="/v1/projects", tags=["项目"])

Registrar = Annotated[
    Caller,
    Depends(require_roles(Role.OPERATOR, Role.DISTRICT_BUREAU, Role.UNIT, what="登记项目")),
]
Importer = Annotated[Caller, Depends(require_roles(Role.OPERATOR, what="导入已命名项目"))]
_REPLAY: dict[int | str, dict[str, Any]] = {
    200: {"model": ProjectRead, "description": "以同一 Idempotency-Key 重发：返回已登记的项目"}
}


def known_district(district: str | None) -> str | None:
    """The district filter, refused (422) when it is not one of the 16 codes."""
    if district is not None and not is_district(district):
        raise InvalidInput(
            f"district（区代码）：未知的区代码“{district[:20]}”，应为：{'、'.join(DISTRICTS)}",
            "district",
        )
    return district


DistrictFilter = Annotated[
    str | None,
    Query(description="区代码（GB/T 2260），如 310115 浦东新区", examples=["310115"], max_length=6),
]


async def _register(
    session: SessionDep,
    sessions: SessionsDep,
    temporal: TemporalDep,
    policy: PolicyDep,
    caller: Caller,
    body: ProjectCreate,
    idempotency_key: str | None,
) -> Response:
    """Register (or import) and answer 201, or 200 for a retry of the same request."""
    project, created = await projects.register_project(
        session=session,
        sessions=sessions,
        temporal=temporal,
        caller=caller,
        body=body,
        policy=policy,
        idempotency_key=idempotency_key,
    )
    return json_answer(project, 201 if created else 200)


@router.post(
    "",
    status_code=201,
    response_model=ProjectRead,
    summary="登记项目",
    response_description="已登记的项目",
    description="平台运营方登记任意项目；区市场监管局只能登记本区项目；实施单位只能登记本单位项目。"
    "同一单位、同一区、同一产业（区域）已有未结束项目时返回 409。",
    responses={**_REPLAY, **error_responses(401, 403, 409, 422, 503)},
)
async def register_project(
    session: SessionDep,
    sessions: SessionsDep,
    temporal: TemporalDep,
    policy: PolicyDep,
    caller: Registrar,
    body: Annotated[
        ProjectCreate,
        Body(
            openapi_examples={
                "产业型": {"summary": "产业型项目（生物医药）", "value": PROJECT},
                "区域型": {"summary": "区域型项目（张江科学城）", "value": REGIONAL_PROJECT},
            }
        ),
    ],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Register a project and start its lifecycle."""
    return await _register(session, sessions, temporal, policy, caller, body, idempotency_key)


@router.post(
    "/import",
    status_code=201,
    response_model=ProjectRead,
    summary="导入已命名项目",
    response_description="已导入的项目",
    description="登记已获命名的项目及其命名日期；区级定期评估、市级三年评估从这些日期起算。",
    responses={**_REPLAY, **error_responses(401, 403, 409, 422, 503)},
)
async def import_project(
    session: SessionDep,
    sessions: SessionsDep,
    temporal: TemporalDep,
    policy: PolicyDep,
    caller: Importer,
    body: Annotated[
        ProjectImport,
        Body(
            openapi_examples={
                "区级项目": {"summary": "已命名的区级项目", "value": IMPORTED_DISTRICT},
                "市级项目": {"summary": "已命名的市级项目", "value": IMPORTED_MUNICIPAL},
            }
        ),
    ],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Import an already named project; its timers count from the naming dates."""
    return await _register(session, sessions, temporal, policy, caller, body, idempotency_key)


@router.get(
    "",
    response_model=ProjectPage,
    summary="项目列表",
    response_description="调用者范围内的项目（分页）",
    description="按调用者范围列出项目（区市场监管局：本区；实施单位：本单位；运营方与市局：全部）。",
    responses=error_responses(401, 422, 503),
)
async def list_projects(
    session: SessionDep,
    caller: CallerDep,
    district: DistrictFilter = None,
    stage: Annotated[Stage | None, Query(description="阶段")] = None,
    level: Annotated[Level | None, Query(description="级别")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="起始位置")] = 0,
) -> Response:
    """The projects the caller may see, from the read model (written as JSON once)."""
    page = await projects.list_projects(
        session=session,
        caller=caller,
        district=known_district(district),
        stage=stage,
        level=level,
        limit=limit,
        offset=offset,
    )
    return json_answer(page)


@router.get(
    "/{project_id}",
    summary="项目详情",
    response_description="项目当前状态",
    description="阶段、级别、名称登记簿、待办决定及期限、下一期限、决定历史，以及调用者当前可执行的决定。",
    responses=error_responses(401, 403, 404, 422, 503),
)
async def get_project(
    project_id: str, session: SessionDep, temporal: TemporalDep, caller: CallerDep
) -> ProjectRead:
    """One project as its process knows it now."""
    return await projects.get_project(
        session=session, temporal=temporal, caller=caller, project_id=project_id
    )
