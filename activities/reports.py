"""Activities of the district report processes (workflows.district_report): one transaction per
step, each row keyed by a business key (ON CONFLICT DO NOTHING), so a retry writes nothing twice.

A submission freezes the district's figures for the period: they are computed in SQL
(db.figures) and stored in its `district_reports` row, keyed by district and period, with the
notice to the municipal bureau in the same transaction.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from db import tables
from db.figures import district_figures
from domain.effects import Recipient
from domain.periods import Period


class ReportNotice(BaseModel):
    key: str
    recipients: list[Recipient]
    subject: str
    body: str


class OwedReport(BaseModel):
    """The report as the district bureau's inbox shows it until it is in (`report_tasks`)."""

    opened_at: datetime
    due_at: datetime
    due_rule: str | None = None
    escalated: bool = False


class ReportStep(BaseModel):
    """One step of a report process: its notices, its inbox entry, and the submission when it
    is one. `owed` is absent in steps recorded before the inbox entry existed."""

    workflow_id: str
    district: str
    period: str
    notices: list[ReportNotice] = []
    owed: OwedReport | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    note: str | None = None


class ReportActivities:
    """Writes of the district report processes, through the worker's session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn
    async def apply_report_step(self, step: ReportStep) -> None:
        """Write a report step's notices, and a submission's frozen figures, in one transaction."""
        created_at = activity.info().scheduled_time
        async with self._sessions.begin() as session:
            if step.submitted_at is not None:
                await _freeze(session, step, step.submitted_at)
            if step.owed is not None:
                await _owe(session, step, step.owed)
            rows = [
                {
                    "key": notice.key,
                    "recipient": ":".join(p for p in (r.role.value, r.district) if p),
                    "recipient_role": r.role.value,
                    "recipient_district": r.district,
                    "recipient_credit_code": None,
                    # The report's process stands where a project's id would.
                    "project_id": step.workflow_id,
                    "subject": notice.subject,
                    "body": notice.body,
                    "created_at": created_at,
                }
                for notice in step.notices
                for r in notice.recipients
            ]
            if rows:
                await session.execute(
                    insert(tables.Notification)
                    .values(rows)
                    .on_conflict_do_nothing(index_elements=["key", "recipient"])
                )

    def all(self) -> list[Callable[..., Awaitable[None]]]:
        return [self.apply_report_step]


async def _freeze(session: AsyncSession, step: ReportStep, submitted_at: datetime) -> None:
    """The district's figures as they stand now, stored once (a retry keeps the first)."""
    assert step.period_start is not None
    assert step.period_end is not None
    period = Period(label=step.period, start=step.period_start, end=step.period_end)
    [figures] = await district_figures(session, period, submitted_at, [step.district])
    figures = figures.model_copy(
        update={"report_submitted": True, "report_submitted_at": submitted_at}
    )
    await session.execute(
        insert(tables.DistrictReport)
        .values(
            key=f"{step.district}/{step.period}",
            district=step.district,
            period=step.period,
            submitted_at=submitted_at,
            submitted_by=step.submitted_by or "",
            note=step.note,
            figures=figures.model_dump(mode="json"),
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def _owe(session: AsyncSession, step: ReportStep, owed: OwedReport) -> None:
    """The inbox entry, merged forward only: escalated stays so, the first submission stays."""
    statement = insert(tables.ReportTask).values(
        key=f"{step.district}/{step.period}",
        district=step.district,
        period=step.period,
        workflow_id=step.workflow_id,
        opened_at=owed.opened_at,
        due_at=owed.due_at,
        due_rule=owed.due_rule,
        escalated=owed.escalated,
        submitted_at=step.submitted_at,
    )
    table = tables.ReportTask.__table__
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "escalated": table.c.escalated | statement.excluded.escalated,
                "submitted_at": func.coalesce(
                    table.c.submitted_at, statement.excluded.submitted_at
                ),
            },
        )
    )
