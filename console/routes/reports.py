"""District reports (`/console/reports`, Art. 9.1, 9.4): each district's figures for a period,
the same as CSV, and the district bureau's submission of its report (docs/console.md).

The figures are those of `GET /v1/reports/districts` (api.services.reports), scoped the same
way: operators and the municipal bureau see all 16 districts, a district bureau its own.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from api.deps import PolicyDep, SessionDep, TemporalDep
from api.errors import InvalidInput, NotFound, NotPermitted, ServiceError
from api.messages import field_problems
from api.schemas import ReportSubmit
from api.services import reports as figures_service
from console.auth import CheckedForm, SignedInDep
from console.errors import PageError
from console.sessions import SignedIn
from console.templating import render
from domain.actors import Role
from domain.districts import district_name
from domain.elements import Element
from domain.periods import previous_period
from domain.policy import Policy

router = APIRouter(prefix="/console")

READERS = (Role.OPERATOR, Role.MUNICIPAL_BUREAU, Role.DISTRICT_BUREAU)
Period = Annotated[str, Query(max_length=7)]


def _readable(who: SignedIn) -> None:
    if who.caller.role not in READERS:
        readers = "、".join(r.label for r in READERS)
        raise PageError(403, f"区级报告只对{readers}开放，当前凭证为{who.caller.describe()}")


def _period(period: str, policy: Policy) -> str:
    """The period asked for, or the last one that has ended."""
    return period or previous_period(datetime.now(UTC), policy.data_period).label


def _status(err: ServiceError) -> int:
    """The status the API gives the same refusal."""
    if isinstance(err, NotPermitted):
        return 403
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, InvalidInput):
        return 422
    return 409


@router.get("/reports")
async def reports(
    request: Request,
    session: SessionDep,
    who: SignedInDep,
    policy: PolicyDep,
    period: Period = "",
    submitted: Period = "",
) -> Response:
    """The district figures of a period, with the CSV download and the report's submission."""
    chosen = _period(period, policy)
    return await _page(request, session, who, policy, chosen, submitted=submitted == chosen)


async def _page(
    request: Request,
    session: AsyncSession,
    who: SignedIn,
    policy: Policy,
    chosen: str,
    *,
    submitted: bool = False,
    note: str = "",
    note_error: str | None = None,
) -> Response:
    """The reports page; after a refused submission, with the note as typed and why."""
    _readable(who)
    try:
        rows = await figures_service.figures(
            session=session, caller=who.caller, period=chosen, policy=policy
        )
    except ServiceError as err:
        raise PageError(422, err.message) from err
    scope = (
        district_name(who.caller.district)
        if who.caller.role is Role.DISTRICT_BUREAU and who.caller.district
        else "全市16个区"
    )
    return render(
        request,
        "reports.html",
        status=422 if note_error else 200,
        who=who,
        scope=scope,
        period=chosen,
        rows=rows,
        elements=list(Element),
        submitted=submitted,
        may_submit=who.caller.role is Role.DISTRICT_BUREAU,
        note=note,
        note_error=note_error,
    )


@router.get("/reports.csv")
async def reports_csv(
    session: SessionDep, who: SignedInDep, policy: PolicyDep, period: Period = ""
) -> Response:
    """The same figures as a CSV with Chinese headers (UTF-8 with BOM)."""
    _readable(who)
    chosen = _period(period, policy)
    try:
        rows = await figures_service.figures(
            session=session, caller=who.caller, period=chosen, policy=policy
        )
    except ServiceError as err:
        raise PageError(422, err.message) from err
    return Response(
        content=figures_service.as_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="district-figures-{chosen}.csv"'},
    )


@router.post("/reports/submit")
async def submit_report(
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    who: SignedInDep,
    policy: PolicyDep,
    posted: CheckedForm,
) -> Response:
    """The district bureau submits its report for the period, with an optional note to the
    municipal bureau: the figures are frozen."""
    period = posted.get("period")
    if not isinstance(period, str) or not period or len(period) > 7:
        raise PageError(422, "period（数据周期）：请选择数据周期")
    typed = posted.get("note")
    note = typed.strip() if isinstance(typed, str) else ""
    try:
        body = ReportSubmit.model_validate({"note": note or None})
    except ValidationError as err:
        [problem, *_] = field_problems(err.errors())
        return await _page(
            request, session, who, policy, period, note=note, note_error=problem.message
        )
    district = who.caller.district or ""
    try:
        await figures_service.submit_report(
            session=session,
            temporal=temporal,
            caller=who.caller,
            district=district,
            period=period,
            policy=policy,
            note=body.note,
        )
    except ServiceError as err:
        raise PageError(_status(err), err.message) from err
    return RedirectResponse(f"/console/reports?period={period}&submitted={period}", status_code=303)
