"""`qis sender` as its own process: killed mid-batch and restarted, or stopped with SIGTERM."""

import asyncio
import os
import signal
import subprocess
import sysconfig
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.services.contacts import set_contact
from domain.actors import Role
from tests.helpers import eventually
from tests.sender.helpers import (
    MUNICIPAL_BUREAU,
    PROJECT_ID,
    PUBLIC_URL,
    add_project,
    count_sent,
    notify,
)
from tests.sender.servers import MailServer

QIS = Path(sysconfig.get_path("scripts")) / "qis"


@asynccontextmanager
async def sender_process(
    database_url: str, smtp_url: str, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`qis sender` against the test database; killed at the end if still running."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "QIS_SMTP_URL": smtp_url,
        "QIS_PUBLIC_URL": PUBLIC_URL,
        "QIS_SENDER_CONCURRENCY": "3",
        "QIS_SENDER_RETRY_BASE": "0.05",
        "QIS_SENDER_RETRY_MAX": "0.3",
        "QIS_SENDER_MAX_ATTEMPTS": "20",
    }
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            str(QIS), "sender", env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def outbox_of(sessions: async_sessionmaker[AsyncSession], rows: int) -> None:
    await add_project(sessions)
    async with sessions.begin() as session:
        await set_contact(session, role=Role.MUNICIPAL_BUREAU, emails=["qis@scjgj.example.cn"])
    for seq in range(rows):
        await notify(sessions, f"{PROJECT_ID}/{seq}/municipal", [MUNICIPAL_BUREAU])


async def test_killed_mid_batch_then_restarted_loses_nothing_and_sends_nothing_twice(
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
    mail_server: MailServer,
    tmp_path: Path,
) -> None:
    rows = 30
    await outbox_of(session_factory, rows)
    handler = mail_server.handler
    handler.accept_limit = 8  # then the server holds every message without answering
    log = tmp_path / "sender.log"

    async with sender_process(database_url, mail_server.url, log) as first:
        # Eight accepted and recorded; the sender's three workers each hold one more.
        await eventually(lambda: count_sent(session_factory), lambda n: n == 8, within=30)

        async def held() -> int:
            return handler.held

        await eventually(held, lambda n: n == 3)
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    handler.release()  # the held messages were never accepted (451 to a dead connection)

    async with sender_process(database_url, mail_server.url, log) as second:
        await eventually(lambda: count_sent(session_factory), lambda n: n == rows, within=30)
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 30) == 0, log.read_text()

    ids = Counter(handler.message_ids())
    assert len(ids) == rows
    assert set(ids.values()) == {1}


async def test_sigterm_finishes_the_delivery_it_holds_and_exits_0(
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
    mail_server: MailServer,
    tmp_path: Path,
) -> None:
    await outbox_of(session_factory, 1)
    handler = mail_server.handler
    handler.accept_limit = 0
    log = tmp_path / "sender.log"

    async with sender_process(database_url, mail_server.url, log) as process:

        async def held() -> int:
            return handler.held

        await eventually(held, lambda n: n == 1, within=30)
        process.send_signal(signal.SIGTERM)

        async def logged() -> str:
            return log.read_text()

        await eventually(logged, lambda text: "SIGTERM" in text)
        handler.release()  # the held attempt ends (451): recorded for a retry, not lost
        assert await asyncio.wait_for(process.wait(), 30) == 0, log.read_text()
    text = log.read_text()
    assert "发完手上的投递后停止" in text
    assert "已停止" in text
    assert "稍后重试" in text  # the attempt it held was recorded before exiting
