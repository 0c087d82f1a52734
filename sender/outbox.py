"""What ops see of the outbox (`qis outbox list`) and the one thing they do (`qis outbox retry`)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from sender import WAKE_CHANNEL
from sender.recipients import recipient_label
from sender.status import Channel, DeliveryStatus, OutboxState


class OutboxError(Exception):
    """A retry that cannot be done, with a Chinese message."""


@dataclass(frozen=True)
class OutboxEntry:
    """One delivery, or an outbox row that has none yet."""

    notification_id: int
    delivery_id: int | None
    created_at: datetime
    project_id: str
    subject: str
    recipient: str
    channel: Channel | None
    address: str | None
    state: OutboxState
    attempts: int
    when: datetime | None
    reason: str | None


def delivery_state(delivery: tables.Delivery) -> tuple[OutboxState, datetime | None, str | None]:
    """A delivery's state for ops, the time that goes with it, and why (if it is not sent)."""
    if delivery.status == DeliveryStatus.SENT.value:
        return OutboxState.DELIVERED, delivery.sent_at, None
    if delivery.status == DeliveryStatus.FAILED.value:
        return OutboxState.FAILED, delivery.failed_at, delivery.last_error
    if delivery.blocked:
        return OutboxState.UNDELIVERABLE, None, delivery.blocked
    if delivery.attempts:
        return OutboxState.RETRYING, delivery.next_attempt_at, delivery.last_error
    return OutboxState.WAITING, delivery.next_attempt_at, None


def _entry(row: tables.Notification, delivery: tables.Delivery | None) -> OutboxEntry:
    when: datetime | None
    reason: str | None
    if delivery is None:
        problem = row.delivery_problem
        state = OutboxState.UNDELIVERABLE if problem else OutboxState.WAITING
        when, reason = None, problem or "尚未分派收件地址（发送程序未运行？）"
    else:
        state, when, reason = delivery_state(delivery)
    return OutboxEntry(
        notification_id=row.id,
        delivery_id=delivery.id if delivery else None,
        created_at=row.created_at,
        project_id=row.project_id,
        subject=row.subject,
        recipient=recipient_label(
            row.recipient_role, row.recipient_district, row.recipient_credit_code
        ),
        channel=Channel(delivery.channel) if delivery else None,
        address=delivery.address if delivery else None,
        state=state,
        attempts=delivery.attempts if delivery else 0,
        when=when,
        reason=reason,
    )


async def outbox_entries(
    session: AsyncSession, *, failed_only: bool = False, limit: int = 50
) -> list[OutboxEntry]:
    """The newest outbox rows with their deliveries, or (failed_only) the deliveries that gave up."""
    n, d = tables.Notification, tables.Delivery
    if failed_only:
        failed = await session.execute(
            select(d, n)
            .join(n, n.id == d.notification_id)
            .where(d.status == DeliveryStatus.FAILED.value)
            .order_by(d.failed_at.desc(), d.id.desc())
            .limit(limit)
        )
        return [_entry(row, delivery) for delivery, row in failed]
    rows = list(await session.scalars(select(n).order_by(n.id.desc()).limit(limit)))
    deliveries: dict[int, list[tables.Delivery]] = {}
    if rows:
        found = await session.scalars(
            select(d).where(d.notification_id.in_([r.id for r in rows])).order_by(d.id)
        )
        for delivery in found:
            deliveries.setdefault(delivery.notification_id, []).append(delivery)
    entries = []
    for row in rows:
        held: list[tables.Delivery | None] = [*deliveries.get(row.id, [])] or [None]
        entries += [_entry(row, delivery) for delivery in held]
    return entries


async def outbox_counts(session: AsyncSession) -> Counter[OutboxState]:
    """How many deliveries (and rows without any) are in each state."""
    n, d = tables.Notification, tables.Delivery
    counts: Counter[OutboxState] = Counter()
    grouped = await session.execute(
        # sign(attempts): tried or not, without a bound parameter GROUP BY could not match.
        select(d.status, d.blocked.is_not(None), func.sign(d.attempts), func.count()).group_by(
            d.status, d.blocked.is_not(None), func.sign(d.attempts)
        )
    )
    for status, blocked, tried, count in grouped:
        if status == DeliveryStatus.SENT.value:
            counts[OutboxState.DELIVERED] += count
        elif status == DeliveryStatus.FAILED.value:
            counts[OutboxState.FAILED] += count
        elif blocked:
            counts[OutboxState.UNDELIVERABLE] += count
        else:
            counts[OutboxState.RETRYING if tried else OutboxState.WAITING] += count
    unplanned = await session.execute(
        select(n.delivery_problem.is_not(None), func.count())
        .where(n.planned_at.is_(None))
        .group_by(n.delivery_problem.is_not(None))
    )
    for has_problem, count in unplanned:
        counts[OutboxState.UNDELIVERABLE if has_problem else OutboxState.WAITING] += count
    return counts


async def retry(
    session: AsyncSession, delivery_ids: Sequence[int] | None = None
) -> list[tables.Delivery]:
    """Send these deliveries (or, given None, every failed one) again from the first attempt."""
    d = tables.Delivery
    if delivery_ids is None:
        query = select(d).where(d.status == DeliveryStatus.FAILED.value)
    else:
        query = select(d).where(d.id.in_(list(delivery_ids)))
    rows = list(await session.scalars(query.order_by(d.id).with_for_update()))
    if delivery_ids is not None:
        missing = sorted(set(delivery_ids) - {r.id for r in rows})
        if missing:
            raise OutboxError(
                f"没有编号为 {'、'.join(map(str, missing))} 的投递，可用 qis outbox list 查看编号"
            )
        sent = [r.id for r in rows if r.status == DeliveryStatus.SENT.value]
        if sent:
            raise OutboxError(f"投递 {'、'.join(map(str, sent))} 已送达，无需重发")
    if rows:
        await session.execute(
            update(d)
            .where(d.id.in_([r.id for r in rows]))
            .values(
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=func.now(),
                failed_at=None,
            )
        )
        await session.execute(text("SELECT pg_notify(:c, 'deliveries')"), {"c": WAKE_CHANNEL})
    return rows
