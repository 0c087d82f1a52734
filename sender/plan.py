"""Turn outbox rows into deliveries: one per row and concrete address.

A row is claimed with FOR UPDATE SKIP LOCKED, so two senders never plan one row at once, and
deliveries are inserted with ON CONFLICT DO NOTHING, so planning twice changes nothing. A row
with no address yet keeps `planned_at` empty and says why in `delivery_problem`; it is looked
at again when contacts change, never dropped.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from sender import WAKE_CHANNEL
from sender.recipients import load_directory
from sender.status import NO_SMTP, Channel, DeliveryStatus

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class PlanResult:
    """What one pass planned, and the rows that found no address (id → reason)."""

    planned: int = 0
    deliveries: int = 0
    undeliverable: dict[int, str] = field(default_factory=dict)
    last_id: int = 0
    more: bool = False


async def plan_batch(session: AsyncSession, *, recheck: bool, after: int = 0) -> PlanResult:
    """Plan up to BATCH unplanned rows with id > `after`; `recheck` includes rows that had none."""
    query = (
        select(tables.Notification)
        .where(tables.Notification.planned_at.is_(None), tables.Notification.id > after)
        .order_by(tables.Notification.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    if not recheck:
        query = query.where(tables.Notification.delivery_problem.is_(None))
    rows = list(await session.scalars(query))
    result = PlanResult(last_id=rows[-1].id if rows else after, more=len(rows) == BATCH)
    if not rows:
        return result
    directory = await load_directory(session, (r.project_id for r in rows))
    values = []
    now = datetime.now(UTC)
    for row in rows:
        addresses = directory.addresses(row)
        if not addresses:
            problem = directory.problem(row)
            if row.delivery_problem != problem:
                result.undeliverable[row.id] = problem
                row.delivery_problem = problem
            continue
        values += [
            {"notification_id": row.id, "channel": a.channel.value, "address": a.address}
            for a in addresses
        ]
        row.planned_at = now
        row.delivery_problem = None
        result.planned += 1
    if values:
        inserted = await session.execute(
            insert(tables.Delivery)
            .values(values)
            .on_conflict_do_nothing()
            .returning(tables.Delivery.id)
        )
        result.deliveries = len(inserted.all())
        # Other senders wake for the new deliveries when this transaction commits.
        await session.execute(
            text("SELECT pg_notify(:channel, 'deliveries')"), {"channel": WAKE_CHANNEL}
        )
    await session.flush()
    return result


async def mark_mail_blocked(session: AsyncSession) -> int:
    """Say on waiting e-mail deliveries that no mail server is configured; how many were new."""
    marked = await session.execute(
        update(tables.Delivery)
        .where(
            tables.Delivery.channel == Channel.EMAIL.value,
            tables.Delivery.status == DeliveryStatus.PENDING.value,
            tables.Delivery.blocked.is_distinct_from(NO_SMTP),
        )
        .values(blocked=NO_SMTP)
        .returning(tables.Delivery.id)
    )
    return len(marked.all())


async def clear_mail_blocked(session: AsyncSession) -> None:
    """A sender with a mail server lifts the mark a sender without one left."""
    await session.execute(
        update(tables.Delivery)
        .where(tables.Delivery.channel == Channel.EMAIL.value, tables.Delivery.blocked.is_not(None))
        .values(blocked=None)
    )
