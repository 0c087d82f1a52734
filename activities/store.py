"""Activities that write the lifecycle's records to PostgreSQL.

Temporal may run an activity more than once, so each write is keyed by a business key with a
unique constraint and uses INSERT … ON CONFLICT DO NOTHING (or a versioned upsert for the read
model): a retry or a replayed decision never writes twice. Every failure is retried (at most a
minute apart): a database outage ends by itself, and a broken invariant (a `StoreInvariant`
error, say ending a name the register lacks) ends when someone fixes the data or deploys fixed
code. Until then the step stays pending with its last error, visible in the Temporal UI, and the
process keeps accepting decisions (docs/operations.md, "What to watch").

`apply_step` writes everything one step of a process produced (its decision record, name grants
and endings, outbox rows and the read-model row) in one transaction, so a reader sees all of a
step or none of it, and rewrites the project's rows in the inbox's and the directory's ready
tables (db.open_tasks, db.directory) from what it wrote. The one-effect activities before it
stay registered for processes that started on the earlier release and keep using them until
their next continue-as-new (docs/operations.md, "Upgrading a running process"); those that
write a name or the row rewrite the ready rows too.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.inputs import (
    EndNameInput,
    GrantNameInput,
    NotifyInput,
    RecordDecisionInput,
    StepInput,
    SyncProjectInput,
)
from db import directory, open_tasks, tables
from db.read_model import ProjectRow
from domain.decisions import Action
from domain.effects import EndName, GrantName, Notify, OweData, RecordData, RecordDecision

# A write the records refuse; retried like an outage until the data or the code is fixed.
INVARIANT = "StoreInvariant"


class StoreActivities:
    """Writes to the database through a session factory the worker hands in."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn
    async def apply_step(self, input: StepInput) -> None:
        """Write one step's records, names, outbox rows and read-model row in one transaction."""
        created_at = activity.info().scheduled_time
        async with self._sessions.begin() as session:
            for record in input.records:
                await _record_decision(session, input.project_id, record)
            for grant in input.grants:
                await _grant_name(session, input.project_id, grant)
            for ending in input.endings:
                await _end_name(session, ending)
            for notice in input.notices:
                await _notify(session, input.project_id, notice, created_at)
            for owed in input.obligations:
                await _owe_data(session, input.project_id, owed)
            for data in input.data:
                await _record_data(session, input.project_id, data)
            await _sync_project(session, input.row)
            await _refresh_ready_rows(session, input.project_id)

    @activity.defn
    async def record_decision(self, input: RecordDecisionInput) -> None:
        """Append a decision to the decisions record (processes of the earlier release)."""
        async with self._sessions.begin() as session:
            await _record_decision(session, input.project_id, input.record)

    @activity.defn
    async def grant_name(self, input: GrantNameInput) -> None:
        """Add a granted name to the names register (processes of the earlier release)."""
        async with self._sessions.begin() as session:
            await _grant_name(session, input.project_id, input.grant)
            await _refresh_ready_rows(session, input.project_id)

    @activity.defn
    async def end_name(self, input: EndNameInput) -> None:
        """Append a name's ending to the register (processes of the earlier release)."""
        async with self._sessions.begin() as session:
            project_id = await _end_name(session, input.end)
            await _refresh_ready_rows(session, project_id)

    @activity.defn
    async def notify(self, input: NotifyInput) -> None:
        """Write a notification to the outbox (processes of the earlier release)."""
        async with self._sessions.begin() as session:
            await _notify(session, input.project_id, input.notify, activity.info().scheduled_time)

    @activity.defn
    async def sync_project(self, input: SyncProjectInput) -> None:
        """Bring the read model up to the state (processes of the earlier release)."""
        async with self._sessions.begin() as session:
            await _sync_project(session, input.row)
            await _refresh_ready_rows(session, input.row.id)

    def all(self) -> list[Callable[..., Awaitable[None]]]:
        return [
            self.apply_step,
            self.record_decision,
            self.grant_name,
            self.end_name,
            self.notify,
            self.sync_project,
        ]


async def _record_decision(session: AsyncSession, project_id: str, record: RecordDecision) -> None:
    """Append a decision to the decisions record, keyed by project and sequence number."""
    entry = record.entry
    if entry.actor is None:
        raise ApplicationError(f"decision {project_id}/{entry.seq} has no actor", type=INVARIANT)
    payload = entry.payload
    passed = payload.get("passed", payload.get("meets_conditions", payload.get("recommend")))
    row = {
        "key": f"{project_id}/{entry.seq}",
        "project_id": project_id,
        "seq": entry.seq,
        "action": Action(entry.event).value,
        "actor_role": entry.actor.role.value,
        "actor_district": entry.actor.district,
        "actor_credit_code": entry.actor.credit_code,
        "actor_label": entry.actor.label,
        "decided_at": entry.at,
        "stage_before": entry.stage_before.value,
        "stage_after": entry.stage_after.value,
        "outcome": entry.summary,
        "passed": passed if isinstance(passed, bool) else None,
        "scores": payload.get("scores"),
        "note": payload.get("note"),
        "payload": payload,
    }
    await session.execute(
        insert(tables.Decision).values(row).on_conflict_do_nothing(index_elements=["key"])
    )


async def _grant_name(session: AsyncSession, project_id: str, grant: GrantName) -> None:
    """Add a granted name to the register, keyed by the name's key."""
    name = grant.name
    await session.execute(
        insert(tables.Name)
        .values(
            key=name.key,
            project_id=project_id,
            level=name.level.value,
            name=name.name,
            granted_on=name.granted_on,
            granted_at=name.granted_at,
            granted_by=name.granted_by.value,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def _end_name(session: AsyncSession, end: EndName) -> str:
    """Append a name's cancellation or revocation; at most one per name, never edited. Returns
    the name's project."""
    granted = await session.scalar(
        select(tables.Name.project_id).where(tables.Name.key == end.name_key)
    )
    if granted is None:
        raise ApplicationError(f"name {end.name_key} is not in the register", type=INVARIANT)
    ending = end.ending
    await session.execute(
        insert(tables.NameEnding)
        .values(
            name_key=end.name_key,
            kind=ending.kind,
            ended_on=ending.on,
            ended_at=ending.at,
            ended_by=ending.by.value,
            reason=ending.reason,
        )
        .on_conflict_do_nothing(index_elements=["name_key"])
    )
    return granted


async def _notify(
    session: AsyncSession, project_id: str, message: Notify, created_at: datetime
) -> None:
    """Write a notification to the outbox, one row per recipient, keyed by message and recipient."""
    rows = [
        {
            "key": message.key,
            "recipient": ":".join(p for p in (r.role.value, r.district or r.credit_code) if p),
            "recipient_role": r.role.value,
            "recipient_district": r.district,
            "recipient_credit_code": r.credit_code,
            "project_id": project_id,
            "subject": message.subject,
            "body": message.body,
            "created_at": created_at,
        }
        for r in message.recipients
    ]
    if rows:
        await session.execute(
            insert(tables.Notification)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key", "recipient"])
        )


async def _owe_data(session: AsyncSession, project_id: str, owed: OweData) -> None:
    """Mark the period owed, with its due date (its row keyed by project and period)."""
    statement = insert(tables.DataPeriod).values(
        key=owed.key,
        project_id=project_id,
        district=owed.district,
        period=owed.period,
        owed=True,
        due_at=owed.due_at,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"owed": True, "due_at": statement.excluded.due_at},
        )
    )


async def _record_data(session: AsyncSession, project_id: str, data: RecordData) -> None:
    """Append a submission (keyed by project and step; a correction is a new row), and bring the
    period's row up to it: the first submission says whether it was on time, the latest gives
    the figures. Versioned by step, so a retried or late write changes nothing it should not."""
    await session.execute(
        insert(tables.DataSubmission)
        .values(project_id=project_id, **data.model_dump())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = tables.DataPeriod
    statement = insert(row).values(
        key=f"{project_id}/{data.period}",
        project_id=project_id,
        district=data.district,
        period=data.period,
        due_at=data.due_at,
        first_seq=data.seq,
        on_time=data.on_time,
        latest_seq=data.seq,
        smes_served=data.smes_served,
        services=data.services,
    )
    new = statement.excluded
    earlier = or_(row.first_seq.is_(None), new.first_seq < row.first_seq)
    later = or_(row.latest_seq.is_(None), new.latest_seq > row.latest_seq)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "first_seq": case((earlier, new.first_seq), else_=row.first_seq),
                "on_time": case((earlier, new.on_time), else_=row.on_time),
                "latest_seq": case((later, new.latest_seq), else_=row.latest_seq),
                "smes_served": case((later, new.smes_served), else_=row.smes_served),
                "services": case((later, new.services), else_=row.services),
            },
        )
    )


async def _sync_project(session: AsyncSession, row: ProjectRow) -> None:
    """Bring the project's read model up to the state's sequence number (never back)."""
    values = row.model_dump()
    statement = insert(tables.Project).values(values)
    updated = {k: statement.excluded[k] for k in values if k not in ("id", "registered_at")}
    statement = statement.on_conflict_do_update(
        index_elements=["id"],
        set_={**updated, "updated_at": func.now()},
        where=tables.Project.state_seq <= statement.excluded.state_seq,
    )
    await session.execute(statement)


async def _refresh_ready_rows(session: AsyncSession, project_id: str) -> None:
    """Rewrite the project's inbox rows and directory entry from what the transaction wrote."""
    await open_tasks.refresh(session, project_id)
    await directory.refresh(session, project_id)
