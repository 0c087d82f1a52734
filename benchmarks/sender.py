"""Benchmark: how many messages a second the sender delivers to a local SMTP server.

An embedded PostgreSQL (in a temporary directory) gets the outbox rows, an aiosmtpd server on
127.0.0.1 takes the mail, and a sender delivers them; the figure counts from the insert of the
rows to the last delivery recorded, so it includes planning, claiming and the SMTP conversation.
Run: `.venv/bin/python -m benchmarks.sender [messages]`.
"""

import asyncio
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from api.services.contacts import set_contact
from db import migrate, tables
from db.engine import make_engine, make_session_factory
from domain.actors import Role
from sender.config import SenderConfig, SmtpServer
from sender.loop import serve
from stack.postgres import embedded_postgres
from tests.sender.servers import free_port

MESSAGES = 2000
CONCURRENCY = (1, 4, 8)


class Counting:
    """An SMTP handler that only counts."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.count += 1
        return "250 OK"


async def run_once(url: str, port: int, messages: int, concurrency: int) -> float:
    """Messages a second for one sender with `concurrency` workers."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    async with sessions.begin() as session:
        await session.execute(delete(tables.Delivery))
        await session.execute(delete(tables.Notification))
    config = SenderConfig(
        public_url="http://127.0.0.1:8000",
        smtp=SmtpServer(host="127.0.0.1", port=port),
        concurrency=concurrency,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(url, config, stop))
    rows = [
        {
            "key": f"bench-{concurrency}/{i}/municipal",
            "recipient": "municipal_bureau",
            "recipient_role": "municipal_bureau",
            "project_id": "bench",
            "subject": "【示例项目】请作出市级评估决定",
            "body": "区局已推荐，请于2026-07-01前作出市级评估决定。",
            "created_at": datetime.now(UTC),
        }
        for i in range(messages)
    ]
    started = time.perf_counter()
    async with sessions.begin() as session:
        await session.execute(insert(tables.Notification).values(rows))
    while True:
        async with sessions() as session:
            sent = await session.scalar(
                select(func.count())
                .select_from(tables.Notification)
                .where(tables.Notification.sent_at.is_not(None))
            )
        if sent == messages:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    await engine.dispose()
    return messages / elapsed


async def main(messages: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    port = free_port()
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with embedded_postgres(Path(tmp)) as url:
                await migrate.upgrade(url)
                engine = make_engine(url)
                async with make_session_factory(engine).begin() as session:
                    await set_contact(
                        session, role=Role.MUNICIPAL_BUREAU, emails=["bench@example.cn"]
                    )
                await engine.dispose()
                print(f"{messages} messages to aiosmtpd on 127.0.0.1, one sender:")
                for concurrency in CONCURRENCY:
                    rate = await run_once(url, port, messages, concurrency)
                    print(f"  concurrency {concurrency}: {rate:7.0f} messages/s")
    finally:
        controller.stop()
    print(f"the SMTP server took {handler.count} messages")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else MESSAGES))
