"""The assessment figures of each district for one data period (Art. 9.1, 9.4), in SQL.

Read from the indexed tables the processes write (never by asking the processes): the read
model `projects`, the names register, the decisions record, the data obligations and
submissions. A district whose report for the period is in reads the figures frozen into its
`district_reports` row instead (api.services.reports; docs/regulation.md "District reports").
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.districts import DISTRICTS, district_name
from domain.elements import Element
from domain.periods import Period
from domain.stages import Level, Stage

# The decisions counted as evaluations (Art. 9.2, 8, 9.3): passed or failed.
EVALUATIONS = (
    "evaluate-district",
    "evaluate-municipal",
    "review-municipal",
    "review-rectification",
)


class DistrictFigures(BaseModel):
    """One district's figures for one data period."""

    district: str
    district_name: str
    period: str
    projects_by_stage: dict[Stage, int] = Field(description="各阶段项目数（当前）")
    projects_by_level: dict[Level, int] = Field(description="有效命名项目数：区级、市级（当前）")
    names_granted: dict[Level, int] = Field(description="本期命名数：区级、市级")
    names_cancelled: int = Field(description="本期取消命名数")
    names_revoked: int = Field(description="本期撤消命名数")
    evaluations_passed: int = Field(description="本期评估通过数")
    evaluations_failed: int = Field(description="本期评估未通过数")
    decisions_overdue: int = Field(description="逾期未作出的决定数（统计时）")
    data_on_time: int = Field(description="按期报送数据的项目数")
    data_late: int = Field(description="逾期报送数据的项目数")
    data_missing: int = Field(description="应报未报数据的项目数")
    smes_served: int = Field(description="服务中小企业数（各项目最新报送之和）")
    services: dict[Element, int] = Field(description="各要素服务次数")
    report_submitted: bool = Field(default=False, description="区级报告已报送市市场监管局")
    report_submitted_at: datetime | None = None


# The districts asked for; `every` (all of them) short-circuits the test row by row.
_IN_SCOPE = "(CAST(:every AS boolean) OR district = ANY(:districts))"
_IN_SCOPE_P = "(CAST(:every AS boolean) OR p.district = ANY(:districts))"
_PROJECTS = text(
    "SELECT district, stage, level, count(*) FROM projects WHERE "
    + _IN_SCOPE
    + " GROUP BY district, stage, level"
)
_GRANTED = text(
    "SELECT p.district, n.level, count(*) FROM names n JOIN projects p ON p.id = n.project_id"
    " WHERE n.granted_at >= :start AND n.granted_at < :end AND "
    + _IN_SCOPE_P
    + " GROUP BY p.district, n.level"
)
_ENDED = text(
    "SELECT p.district, e.kind, count(*) FROM name_endings e"
    " JOIN names n ON n.key = e.name_key JOIN projects p ON p.id = n.project_id"
    " WHERE e.ended_at >= :start AND e.ended_at < :end AND "
    + _IN_SCOPE_P
    + " GROUP BY p.district, e.kind"
)
_EVALUATED = text(
    "SELECT p.district, d.passed, count(*) FROM decisions d JOIN projects p ON p.id = d.project_id"
    " WHERE d.action = ANY(:actions) AND d.decided_at >= :start AND d.decided_at < :end"
    " AND d.passed IS NOT NULL AND " + _IN_SCOPE_P + " GROUP BY p.district, d.passed"
)
# Open bureau decisions past their due date (a unit's data is counted apart). The literal
# `tasks <> '[]'::jsonb` lets the planner use the partial index of projects with open tasks.
_OVERDUE = text(
    "SELECT p.district, count(*) FROM projects p, jsonb_array_elements(p.tasks) t"
    " WHERE p.tasks <> '[]'::jsonb AND t->>'role' <> 'unit'"
    " AND (t->>'due_at')::timestamptz <= :now AND " + _IN_SCOPE_P + " GROUP BY p.district"
)
# One row per project and period (data_periods): the first submission's timeliness, whether it
# is still missing, and the latest figures (a correction replaces the earlier ones).
_DATA = text(
    "SELECT district, count(*) FILTER (WHERE on_time),"
    " count(*) FILTER (WHERE first_seq IS NOT NULL AND NOT on_time),"
    " count(*) FILTER (WHERE owed AND first_seq IS NULL), sum(smes_served), "
    + ", ".join(f"sum(coalesce((services->>'{e.value}')::int, 0))" for e in Element)
    + " FROM data_periods WHERE period = :period AND "
    + _IN_SCOPE
    + " GROUP BY district"
)


def _empty(district: str, period: str) -> dict[str, Any]:
    return {
        "district": district,
        "district_name": district_name(district),
        "period": period,
        "projects_by_stage": {s: 0 for s in Stage},
        "projects_by_level": {Level.DISTRICT: 0, Level.MUNICIPAL: 0},
        "names_granted": {Level.DISTRICT: 0, Level.MUNICIPAL: 0},
        "names_cancelled": 0,
        "names_revoked": 0,
        "evaluations_passed": 0,
        "evaluations_failed": 0,
        "decisions_overdue": 0,
        "data_on_time": 0,
        "data_late": 0,
        "data_missing": 0,
        "smes_served": 0,
        "services": {e: 0 for e in Element},
    }


async def district_figures(
    session: AsyncSession, period: Period, now: datetime, districts: list[str] | None = None
) -> list[DistrictFigures]:
    """Every district's figures (or those of `districts`), in district-code order."""
    wanted = sorted(districts if districts is not None else DISTRICTS)
    rows = {d: _empty(d, period.label) for d in wanted}
    span = {"start": period.start, "end": period.end}

    async def each(query: Any, **params: Any) -> list[Any]:
        every = districts is None
        result = await session.execute(query, {"every": every, "districts": wanted, **params})
        return list(result)

    for district, stage, level, count in await each(_PROJECTS):
        rows[district]["projects_by_stage"][Stage(stage)] += count
        if level != Level.NONE.value and not Stage(stage).is_end:
            rows[district]["projects_by_level"][Level(level)] += count
    for district, level, count in await each(_GRANTED, **span):
        rows[district]["names_granted"][Level(level)] += count
    for district, kind, count in await each(_ENDED, **span):
        rows[district]["names_cancelled" if kind == "cancelled" else "names_revoked"] += count
    for district, passed, count in await each(_EVALUATED, actions=list(EVALUATIONS), **span):
        rows[district]["evaluations_passed" if passed else "evaluations_failed"] += count
    for district, count in await each(_OVERDUE, now=now):
        rows[district]["decisions_overdue"] += count
    for district, on_time, late, missing, smes, *services in await each(_DATA, period=period.label):
        row = rows[district]
        row.update(data_on_time=on_time, data_late=late, data_missing=missing)
        row["smes_served"] = int(smes)
        row["services"] = {e: int(n) for e, n in zip(Element, services, strict=True)}
    return [DistrictFigures.model_validate(rows[d]) for d in wanted]
