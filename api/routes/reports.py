"""District figures (Art. 9.1, 9.4) and the district bureau's report (docs/regulation.md)."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from api.auth import CallerDep
from api.deps import PolicyDep, SessionDep, TemporalDep
from api.openapi import error_responses
from api.schemas import ReportSubmit
from api.services import reports
from db.figures import DistrictFigures

router = APIRouter(prefix="/v1", tags=["区级统计"])

PeriodQuery = Annotated[
    str,
    Query(
        description="数据周期：年份，如 2025（按季度或月份的策略：年-首月，如 2025-07）",
        examples=["2025"],
        min_length=4,
        max_length=7,
    ),
]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@router.get(
    "/reports/districts",
    summary="各区统计数据",
    response_description="每区一行",
    description="各区本周期的项目数（按级别、阶段）、命名、取消、撤消、评估通过与未通过、逾期决定、"
    "数据按期/逾期/未报送、服务中小企业数和各要素服务次数、区级报告是否已报送（第九条第一项、第四项）。"
    "平台运营方和市市场监管局：全部各区；区市场监管局：本区。已报送报告的区为报送时冻结的数据。",
    responses=error_responses(401, 403, 422, 503),
)
async def districts(
    session: SessionDep, caller: CallerDep, policy: PolicyDep, period: PeriodQuery
) -> list[DistrictFigures]:
    """The figures of each district the caller may see."""
    return await reports.figures(session=session, caller=caller, period=period, policy=policy)


@router.get(
    "/reports/districts.csv",
    summary="各区统计数据（CSV）",
    response_description="CSV 文件（UTF-8，带 BOM，中文表头）",
    description="与 /v1/reports/districts 相同的数据，电子表格可直接打开。",
    responses={
        200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **error_responses(401, 403, 422, 503),
    },
    response_class=Response,
)
async def districts_csv(
    session: SessionDep, caller: CallerDep, policy: PolicyDep, period: PeriodQuery
) -> Response:
    """The same figures as a CSV with Chinese headers."""
    rows = await reports.figures(session=session, caller=caller, period=period, policy=policy)
    filename = f"district-figures-{rows[0].period if rows else period}.csv"
    return Response(
        content=reports.as_csv(rows),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/districts/{code}/reports/{period}/submit",
    summary="报送区级报告",
    response_description="冻结的本区数据",
    description="区市场监管局向市市场监管局报送本区本周期的报告（第九条第一项）：本区本周期数据随即冻结，"
    "市市场监管局收到通知；此后不能再报送或更正本周期数据。重复报送：409。",
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def submit(
    session: SessionDep,
    temporal: TemporalDep,
    caller: CallerDep,
    policy: PolicyDep,
    code: Annotated[str, Path(description="区代码", examples=["310115"], max_length=6)],
    period: Annotated[str, Path(description="数据周期，如 2025", examples=["2025"], max_length=7)],
    body: Annotated[
        ReportSubmit | None,
        Body(
            openapi_examples={
                "报送": {"summary": "报送区级报告，附说明", "value": {"note": "本区数据已核对"}},
                "不附说明": {"summary": "报送区级报告（不附说明，可不带请求体）", "value": {}},
            }
        ),
    ] = None,
) -> DistrictFigures:
    """Submit the district's report for the period."""
    return await reports.submit_report(
        session=session,
        temporal=temporal,
        caller=caller,
        district=code,
        period=period,
        policy=policy,
        note=body.note if body else None,
    )
