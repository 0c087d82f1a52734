"""Activities that write the lifecycle's records to PostgreSQL.

Temporal may run an activity more than once, so each write is keyed by a business key with a
unique constraint and uses INSERT … ON CONFLICT DO NOTHING (or a versioned upsert for the read
model): a retry or a replayed decision never writes twice. Database errors propagate and are
retried by Temporal; a broken invariant is a non-retryable ApplicationError.
"""

from collections.abc import Awaitable, Callable

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.inputs import (
    EndNameInput,
    GrantNameInput,
    NotifyInput,
    RecordDecisionInput,
    SyncProjectInput,
)
from db import tables
from domain.decisions import Action


class StoreActivities:
    """Writes to the database through a session factory the worker hands in."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn
    async def record_decision(self, input: RecordDecisionInput) -> None:
        """Append a decision to the decisions record."""
        entry = input.record.entry
        if entry.actor is None:
            raise ApplicationError("a decision needs an actor", non_retryable=True)
        payload = entry.payload
        passed = payload.get("passed", payload.get("meets_conditions", payload.get("recommend")))
        row = {
            "key": f"{input.project_id}/{entry.seq}",
            "project_id": input.project_id,
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
        async with self._sessions.begin() as session:
            await session.execute(
                insert(tables.Decision).values(row).on_conflict_do_nothing(index_elements=["key"])
            )

    @activity.defn
    async def grant_name(self, input: GrantNameInput) -> None:
        """Add a granted name to the names register."""
        name = input.grant.name
        async with self._sessions.begin() as session:
            await session.execute(
                insert(tables.Name)
                .values(
                    key=name.key,
                    project_id=input.project_id,
                    level=name.level.value,
                    name=name.name,
                    granted_on=name.granted_on,
                    granted_at=name.granted_at,
                    granted_by=name.granted_by.value,
                )
                .on_conflict_do_nothing(index_elements=["key"])
            )

    @activity.defn
    async def end_name(self, input: EndNameInput) -> None:
        """Append the cancellation or revocation of a name to the register."""
        ending = input.end.ending
        async with self._sessions.begin() as session:
            granted = await session.scalar(
                select(tables.Name.id).where(tables.Name.key == input.end.name_key)
            )
            if granted is None:
                raise ApplicationError(
                    f"name {input.end.name_key} is not in the register", non_retryable=True
                )
            await session.execute(
                insert(tables.NameEnding)
                .values(
                    name_key=input.end.name_key,
                    kind=ending.kind,
                    ended_on=ending.on,
                    ended_at=ending.at,
                    ended_by=ending.by.value,
                    reason=ending.reason,
                )
                .on_conflict_do_nothing(index_elements=["name_key"])
            )

    @activity.defn
    async def notify(self, input: NotifyInput) -> None:
        """Write a notification to the outbox, one row per recipient."""
        message = input.notify
        created_at = activity.info().scheduled_time
        rows = [
            {
                "key": message.key,
                "recipient": ":".join(p for p in (r.role.value, r.district or r.credit_code) if p),
                "recipient_role": r.role.value,
                "recipient_district": r.district,
                "recipient_credit_code": r.credit_code,
                "project_id": input.project_id,
                "subject": message.subject,
                "body": message.body,
                "created_at": created_at,
            }
            for r in message.recipients
        ]
        async with self._sessions.begin() as session:
            await session.execute(
                insert(tables.Notification)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["key", "recipient"])
            )

    @activity.defn
    async def sync_project(self, input: SyncProjectInput) -> None:
        """Bring the project's read model up to the state's sequence number (never back)."""
        values = input.row.model_dump()
        statement = insert(tables.Project).values(values)
        updated = {k: statement.excluded[k] for k in values if k not in ("id", "registered_at")}
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={**updated, "updated_at": func.now()},
            where=tables.Project.state_seq <= statement.excluded.state_seq,
        )
        async with self._sessions.begin() as session:
            await session.execute(statement)

    def all(self) -> list[Callable[..., Awaitable[None]]]:
        return [
            self.record_decision,
            self.grant_name,
            self.end_name,
            self.notify,
            self.sync_project,
        ]
