"""Claim one due delivery, and record how its attempt went.

A worker claims a delivery with SELECT … FOR UPDATE SKIP LOCKED and keeps the row locked, in
the same transaction, while it sends; the outcome is written and committed right after. So two
senders never hold one delivery, and a sender killed mid-send leaves its row pending, unlocked
as soon as its connection drops, for the next sender to send.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from sender.recipients import contact_scope
from sender.status import Channel, DeliveryStatus

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Job:
    """A claimed delivery with what its message says."""

    delivery_id: int
    channel: Channel
    address: str
    attempt: int  # this attempt's number, from 1
    notification_id: int
    key: str
    recipient: str
    recipient_role: str
    recipient_district: str | None
    recipient_credit_code: str | None
    project_id: str
    project_name: str
    subject: str
    body: str
    created_at: datetime
    webhook_secret: str | None = None
    siblings: int = 1  # deliveries of the same outbox row, this one included

    @property
    def message_id(self) -> str:
        """One per outbox row (message and recipient), the same on every attempt."""
        digest = hashlib.sha256(f"{self.key}\n{self.recipient}".encode()).hexdigest()
        return f"msg_{digest[:32]}"


async def claim(session: AsyncSession, channels: list[Channel]) -> Job | None:
    """Lock the earliest due delivery on `channels` that nobody else holds, or None."""
    d, n = tables.Delivery, tables.Notification
    others = tables.Delivery.__table__.alias("others")
    siblings = (
        select(func.count())
        .select_from(others)
        .where(others.c.notification_id == d.notification_id)
        .scalar_subquery()
    )
    query = (
        select(d, n, tables.Project.display_name, siblings)
        .join(n, n.id == d.notification_id)
        .outerjoin(tables.Project, tables.Project.id == n.project_id)
        .where(
            d.status == DeliveryStatus.PENDING.value,
            d.next_attempt_at <= func.now(),
            d.channel.in_([c.value for c in channels]),
        )
        .order_by(d.next_attempt_at, d.id)
        .limit(1)
        .with_for_update(of=d, skip_locked=True)
    )
    found = (await session.execute(query)).first()
    if found is None:
        return None
    delivery, row, name, count = found
    channel = Channel(delivery.channel)
    secret = None
    if channel is Channel.WEBHOOK:
        secret = await _webhook_secret(session, row, delivery.address)
    return Job(
        delivery_id=delivery.id,
        channel=channel,
        address=delivery.address,
        attempt=delivery.attempts + 1,
        notification_id=row.id,
        key=row.key,
        recipient=row.recipient,
        recipient_role=row.recipient_role,
        recipient_district=row.recipient_district,
        recipient_credit_code=row.recipient_credit_code,
        project_id=row.project_id,
        project_name=name or row.project_id,
        subject=row.subject,
        body=row.body,
        created_at=row.created_at,
        webhook_secret=secret,
        siblings=count,
    )


async def _webhook_secret(session: AsyncSession, row: tables.Notification, url: str) -> str | None:
    """The signing secret of the contact that registered `url` for the row's recipient."""
    scope = contact_scope(row.recipient_role, row.recipient_district, row.recipient_credit_code)
    contact = tables.Contact
    return await session.scalar(
        select(contact.webhook_secret)
        .where(
            contact.role == row.recipient_role,
            contact.scope.in_({scope, ""}),
            contact.webhook_url == url,
        )
        .order_by(contact.scope.desc())
        .limit(1)
    )


async def next_due(session: AsyncSession, channels: list[Channel]) -> datetime | None:
    """When the earliest waiting delivery on `channels` falls due."""
    d = tables.Delivery
    return await session.scalar(
        select(func.min(d.next_attempt_at)).where(
            d.status == DeliveryStatus.PENDING.value, d.channel.in_([c.value for c in channels])
        )
    )


async def record_sent(session: AsyncSession, job: Job) -> None:
    """Mark the delivery sent; the outbox row too, once all its deliveries are."""
    d, n = tables.Delivery, tables.Notification
    await session.execute(
        update(d)
        .where(d.id == job.delivery_id)
        .values(
            status=DeliveryStatus.SENT.value,
            attempts=job.attempt,
            sent_at=func.now(),
            last_error=None,
            blocked=None,
        )
    )
    if job.siblings == 1:
        await session.execute(
            update(n)
            .where(n.id == job.notification_id, n.sent_at.is_(None))
            .values(sent_at=func.now())
        )
        return
    # Deliveries of one row may finish at once in two transactions: the row lock orders them,
    # and the count, a new statement, then sees the other's commit.
    await session.execute(
        select(n.id).where(n.id == job.notification_id).with_for_update(key_share=True)
    )
    unsent = await session.scalar(
        select(func.count())
        .select_from(d)
        .where(d.notification_id == job.notification_id, d.status != DeliveryStatus.SENT.value)
    )
    if unsent == 0:
        await session.execute(
            update(n)
            .where(n.id == job.notification_id, n.sent_at.is_(None))
            .values(sent_at=func.now())
        )


def backoff(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait after failed attempt number `attempt`: base·2^(attempt-1), capped, ±10%."""
    delay: float = min(cap, base * 2.0 ** min(attempt - 1, 62))
    return delay * random.uniform(0.9, 1.1)


async def record_failure(
    session: AsyncSession,
    job: Job,
    error: str,
    *,
    max_attempts: int,
    retry_base: float,
    retry_max: float,
    permanent: bool = False,
) -> bool:
    """Note the failed attempt and schedule the next; True when the delivery gave up (failed)."""
    d = tables.Delivery
    error = error[:MAX_ERROR_LENGTH]
    if permanent or job.attempt >= max_attempts:
        values: dict[str, object] = {
            "status": DeliveryStatus.FAILED.value,
            "failed_at": func.now(),
        }
        gave_up = True
    else:
        delay = backoff(job.attempt, base=retry_base, cap=retry_max)
        values = {"next_attempt_at": func.now() + timedelta(seconds=delay)}
        gave_up = False
    await session.execute(
        update(d)
        .where(d.id == job.delivery_id)
        .values(attempts=job.attempt, last_error=error, **values)
    )
    return gave_up
