"""District figures (Art. 9.1, 9.4) as JSON and CSV, and the district bureau's report submission.

The figures are computed in SQL (db.figures); a district whose report for the period is in
reads the figures frozen at its submission. Operators and the municipal bureau see every
district, a district bureau its own, a unit none (docs/regulation.md "District reports").
"""

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Conflict, InvalidInput, NotFound, NotPermitted
from api.services.temporal import TemporalGateway
from api.services.tokens import Caller
from db import tables
from db.figures import DistrictFigures, district_figures
from domain.actors import Role
from domain.districts import DISTRICTS, district_name, is_district
from domain.durations import local_date
from domain.elements import Element
from domain.periods import Period, parse_period, period_hint
from domain.policy import Policy
from domain.stages import Level, Stage


def the_period(label: str, policy: Policy) -> Period:
    """The period a label names under the policy, else 422 naming `period`."""
    period = parse_period(label, policy.data_period)
    if period is None:
        raise InvalidInput(
            f"period（数据周期）：“{label[:20]}”无法识别，应为{period_hint(policy.data_period)}",
            "period",
        )
    return period


def _districts_for(caller: Caller) -> list[str]:
    if caller.role in (Role.OPERATOR, Role.MUNICIPAL_BUREAU):
        return sorted(DISTRICTS)
    if caller.role is Role.DISTRICT_BUREAU and caller.district:
        return [caller.district]
    raise NotPermitted(
        f"区级统计只能由平台运营方、市市场监管局和区市场监管局查看，当前凭证为{caller.describe()}"
    )


async def figures(
    *, session: AsyncSession, caller: Caller, period: str, policy: Policy
) -> list[DistrictFigures]:
    """Each district's figures the caller may see, frozen where the report is in."""
    districts = _districts_for(caller)
    chosen = the_period(period, policy)
    live = await district_figures(session, chosen, datetime.now(UTC), districts)
    frozen = {
        report.district: DistrictFigures.model_validate(report.figures)
        for report in await session.scalars(
            select(tables.DistrictReport).where(
                tables.DistrictReport.period == chosen.label,
                tables.DistrictReport.district.in_(districts),
            )
        )
    }
    return [frozen.get(row.district, row) for row in live]


# The CSV's columns: Chinese headers, one row per district.
def _columns() -> list[tuple[str, object]]:
    stage_columns = [(f"项目数：{s.label}", s) for s in Stage]
    return [
        ("区代码", "district"),
        ("区", "district_name"),
        ("数据周期", "period"),
        ("有效区级项目数", Level.DISTRICT),
        ("有效市级项目数", Level.MUNICIPAL),
        *stage_columns,
        ("本期区级命名数", ("names_granted", Level.DISTRICT)),
        ("本期市级命名数", ("names_granted", Level.MUNICIPAL)),
        ("本期取消命名数", "names_cancelled"),
        ("本期撤消命名数", "names_revoked"),
        ("评估通过数", "evaluations_passed"),
        ("评估未通过数", "evaluations_failed"),
        ("逾期未决定数", "decisions_overdue"),
        ("按期报送数据项目数", "data_on_time"),
        ("逾期报送数据项目数", "data_late"),
        ("应报未报数据项目数", "data_missing"),
        ("服务中小企业数", "smes_served"),
        *[(f"{e.label}服务次数", e) for e in Element],
        ("区级报告已报送", "report_submitted"),
        ("报送日期", "report_submitted_at"),
    ]


def _cell(row: DistrictFigures, key: object) -> str:
    if isinstance(key, Stage):
        return str(row.projects_by_stage.get(key, 0))
    if isinstance(key, Level):
        return str(row.projects_by_level.get(key, 0))
    if isinstance(key, Element):
        return str(row.services.get(key, 0))
    if isinstance(key, tuple):
        return str(row.names_granted.get(key[1], 0))
    value = getattr(row, str(key))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return local_date(value).isoformat()
    return "" if value is None else str(value)


def as_csv(rows: list[DistrictFigures]) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens the Chinese headers as such."""
    columns = _columns()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for title, _ in columns])
    for row in rows:
        writer.writerow([_cell(row, key) for _, key in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


async def submit_report(
    *,
    session: AsyncSession,
    temporal: TemporalGateway,
    caller: Caller,
    district: str,
    period: str,
    policy: Policy,
    note: str | None,
) -> DistrictFigures:
    """The district bureau submits its report: the figures frozen, the municipal bureau told."""
    if not is_district(district):
        raise NotFound(f"区代码“{district[:20]}”不存在，应为：{'、'.join(DISTRICTS)}")
    if caller.role is not Role.DISTRICT_BUREAU or caller.district != district:
        raise NotPermitted(
            f"{district_name(district)}的报告只能由该区市场监管局报送，当前凭证为{caller.describe()}"
        )
    chosen = the_period(period, policy)
    # Whether the period has ended is the report process's to judge, on Temporal's clock (its
    # validator). A period that has not even begun is refused here, so that no process is
    # started for it; one under way starts its process, which opens when the period ends.
    if chosen.start > datetime.now(UTC):
        raise Conflict(
            f"数据周期{chosen.label}尚未结束（至{chosen.last_day.isoformat()}），结束后才能报送区级报告"
        )
    await _refuse_if_in(session, district, chosen.label)
    await temporal.submit_report(
        district=district, period=chosen.label, policy=policy, actor=caller.actor(), note=note
    )
    report = await session.scalar(
        select(tables.DistrictReport).where(
            tables.DistrictReport.key == f"{district}/{chosen.label}"
        )
    )
    assert report is not None  # the update returns once the figures are frozen
    return DistrictFigures.model_validate(report.figures)


async def _refuse_if_in(session: AsyncSession, district: str, period: str) -> None:
    report = await session.scalar(
        select(tables.DistrictReport).where(tables.DistrictReport.key == f"{district}/{period}")
    )
    if report is not None:
        raise Conflict(
            f"{district_name(district)}{period}周期的报告已于"
            f"{local_date(report.submitted_at).isoformat()}报送市市场监管局，不能重复报送",
            [],
        )
