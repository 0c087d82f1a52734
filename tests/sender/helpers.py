"""Outbox rows as the workflow writes them, a sender running in-process, and probes."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import tables
from domain.actors import Role
from domain.effects import Recipient
from sender.config import SenderConfig, parse_smtp_url
from sender.loop import serve
from tests.helpers import CREDIT_CODE, DISTRICT, make_spec

PUBLIC_URL = "https://qis.example.cn"
PROJECT_ID = "p-0001"
PROJECT_NAME = "浦东新区生物医药质量基础设施集成服务基地"

DISTRICT_BUREAU = Recipient(role=Role.DISTRICT_BUREAU, district=DISTRICT)
MUNICIPAL_BUREAU = Recipient(role=Role.MUNICIPAL_BUREAU)
UNIT = Recipient(role=Role.UNIT, credit_code=CREDIT_CODE)


def config(smtp_url: str | None = None, **changes: object) -> SenderConfig:
    """A sender configuration with quick retries, for tests."""
    base = SenderConfig(
        public_url=PUBLIC_URL,
        smtp=parse_smtp_url(smtp_url) if smtp_url else None,
        max_attempts=20,
        retry_base=0.05,
        retry_max=0.3,
        concurrency=3,
        timeout=5.0,
        recheck_interval=30.0,
        idle_poll=1.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def add_project(
    sessions: async_sessionmaker[AsyncSession], project_id: str = PROJECT_ID
) -> None:
    """The project's read-model row, as sync_project writes it."""
    spec = make_spec()
    async with sessions.begin() as session:
        session.add(
            tables.Project(
                id=project_id,
                credit_code=spec.unit.credit_code,
                unit_name=spec.unit.name,
                district=spec.district,
                type=spec.type.value,
                focus=spec.focus,
                display_name=PROJECT_NAME,
                stage="acceptance",
                level="none",
                next_deadline=None,
                spec=spec.model_dump(mode="json"),
                state_seq=1,
                registered_at=datetime.now(UTC),
            )
        )


async def notify(
    sessions: async_sessionmaker[AsyncSession],
    key: str,
    recipients: list[Recipient],
    *,
    project_id: str = PROJECT_ID,
    subject: str = "请作出验收决定",
    body: str = "实施单位已申请验收，请于2026-07-01前作出验收决定。",
) -> None:
    """Outbox rows for one message, exactly as activities/store.py `notify` writes them."""
    rows = [
        {
            "key": key,
            "recipient": ":".join(p for p in (r.role.value, r.district or r.credit_code) if p),
            "recipient_role": r.role.value,
            "recipient_district": r.district,
            "recipient_credit_code": r.credit_code,
            "project_id": project_id,
            "subject": f"【{PROJECT_NAME}】{subject}",
            "body": body,
            "created_at": datetime.now(UTC),
        }
        for r in recipients
    ]
    async with sessions.begin() as session:
        await session.execute(
            insert(tables.Notification)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key", "recipient"])
        )


async def deliveries(sessions: async_sessionmaker[AsyncSession]) -> list[tables.Delivery]:
    async with sessions() as session:
        return list(await session.scalars(select(tables.Delivery).order_by(tables.Delivery.id)))


async def count_sent(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        sent = await session.scalar(
            select(func.count())
            .select_from(tables.Delivery)
            .where(tables.Delivery.status == "sent")
        )
    return int(sent or 0)


async def notifications(sessions: async_sessionmaker[AsyncSession]) -> list[tables.Notification]:
    async with sessions() as session:
        return list(
            await session.scalars(select(tables.Notification).order_by(tables.Notification.id))
        )


@asynccontextmanager
async def running_sender(database_url: str, sender_config: SenderConfig) -> AsyncIterator[None]:
    """A sender in this process for the block; stopped as SIGTERM stops one."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(database_url, sender_config, stop))
    try:
        yield
    finally:
        stop.set()
        await task
