"""Taking a decision: the caller's actor and body sent as the workflow's `decide` update."""

import hashlib

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import Conflict, ProjectEnded, Unavailable
from api.metrics import DECISIONS
from api.schemas import ProjectRead
from api.services.projects import ProjectRef
from api.services.recorded import wait_recorded
from api.services.temporal import TemporalGateway
from api.services.tokens import Caller
from api.services.views import project_read
from db import tables
from domain.decisions import Action, DecisionRequest
from domain.districts import district_name
from domain.durations import local_date
from domain.stages import Stage


def update_id_for(
    caller: Caller, project_id: str, action: Action, idempotency_key: str | None
) -> str | None:
    """The update id of a decision: derived from token and Idempotency-Key, so a retry is
    applied once (Temporal and the workflow both deduplicate by it); None lets Temporal pick."""
    if idempotency_key is None:
        return None
    raw = f"decision:{caller.token_id}:{project_id}:{action.value}:{idempotency_key}"
    return "idem-" + hashlib.sha256(raw.encode()).hexdigest()


async def take_decision(
    *,
    temporal: TemporalGateway,
    sessions: async_sessionmaker[AsyncSession],
    caller: Caller,
    project: ProjectRef,
    action: Action,
    body: BaseModel | None,
    idempotency_key: str | None = None,
) -> ProjectRead:
    """Apply `action` for the caller on a project in their scope; the project after it.

    The route has checked role and scope; the workflow's validator checks them again, with the
    stage, so a bug here cannot let a decision through. The answer waits for the decision's step
    to be written, so the caller's next read (anyone's) already shows it.
    """
    stage = Stage(project.stage)
    if stage.is_end:  # end stages are final, so the read model is never stale about them
        raise ProjectEnded(f"项目已结束（{stage.label}），不再接受任何决定", [])
    fields = body.model_dump(exclude={"action"}) if body is not None else {}
    if action is Action.SUBMIT_DATA:
        await _refuse_frozen(sessions, project.district, str(fields.get("period", "")))
    request = DecisionRequest.model_validate(
        {"actor": caller.actor(), "decision": {**fields, "action": action.value}}
    )
    outcome = "error"
    try:
        state = await temporal.decide(
            project_id=project.id,
            request=request,
            update_id=update_id_for(caller, project.id, action, idempotency_key),
        )
        outcome = "accepted_unrecorded"
        await wait_recorded(sessions, project.id, state.seq, temporal.timeout.total_seconds())
        outcome = "accepted"
    except Conflict:
        outcome = "refused"
        raise
    except Unavailable:
        outcome = "unavailable" if outcome == "error" else outcome
        raise
    finally:
        DECISIONS.labels(action.value, outcome).inc()
    return project_read(state, caller.actor())


async def _refuse_frozen(
    sessions: async_sessionmaker[AsyncSession], district: str, period: str
) -> None:
    """Art. 9.1: once the district's report for a period is in, its figures are frozen."""
    async with sessions() as session:
        report = await session.scalar(
            select(tables.DistrictReport).where(tables.DistrictReport.key == f"{district}/{period}")
        )
    if report is not None:
        raise Conflict(
            f"{district_name(district)}{period}周期的报告已于"
            f"{local_date(report.submitted_at).isoformat()}报送市市场监管局，"
            "该周期数据已冻结，不能再报送或更正",
            [],
        )
