"""The mail server goes away, two senders share an outbox, deliveries give up, contacts are missing."""

import logging
from collections import Counter

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.services.contacts import set_contact
from domain.actors import Role
from domain.effects import Recipient
from sender.outbox import outbox_counts, outbox_entries, retry
from sender.status import NO_SMTP, OutboxState
from tests.helpers import eventually
from tests.sender.helpers import (
    MUNICIPAL_BUREAU,
    PROJECT_ID,
    add_project,
    config,
    count_sent,
    deliveries,
    notifications,
    notify,
    running_sender,
)
from tests.sender.servers import HookServer, MailServer

MUNICIPAL_MAIL = ["qis@scjgj.example.cn", "duban@scjgj.example.cn"]


async def municipal_contact(sessions: async_sessionmaker[AsyncSession], **fields: object) -> None:
    async with sessions.begin() as session:
        await set_contact(session, role=Role.MUNICIPAL_BUREAU, **fields)  # type: ignore[arg-type]


async def test_mail_server_down_for_a_while_then_back(
    session_factory: async_sessionmaker[AsyncSession], database_url: str, mail_server: MailServer
) -> None:
    await add_project(session_factory)
    await municipal_contact(session_factory, emails=MUNICIPAL_MAIL)
    mail_server.stop()
    for seq in range(5):
        await notify(session_factory, f"{PROJECT_ID}/{seq}/municipal", [MUNICIPAL_BUREAU])

    async with running_sender(database_url, config(mail_server.url)):
        # Every delivery has failed at least twice while the server was down.
        await eventually(
            lambda: deliveries(session_factory),
            lambda rows: len(rows) == 10 and all(r.attempts >= 2 for r in rows),
        )
        rows = await deliveries(session_factory)
        assert all(r.status == "pending" and r.last_error for r in rows)
        assert "无法连接" in (rows[0].last_error or "")
        mail_server.start()
        await eventually(lambda: count_sent(session_factory), lambda n: n == 10)

    assert Counter(mail_server.handler.message_ids()).most_common(1)[0][1] == 1
    assert len(mail_server.messages) == 10
    assert all(r.sent_at for r in await notifications(session_factory))


async def test_two_senders_never_send_one_delivery_twice(
    session_factory: async_sessionmaker[AsyncSession], database_url: str, mail_server: MailServer
) -> None:
    await add_project(session_factory)
    await municipal_contact(session_factory, emails=MUNICIPAL_MAIL)
    rows = 60
    async with (
        running_sender(database_url, config(mail_server.url)),
        running_sender(database_url, config(mail_server.url)),
    ):
        for seq in range(rows):
            await notify(session_factory, f"{PROJECT_ID}/{seq}/municipal", [MUNICIPAL_BUREAU])
        await eventually(lambda: count_sent(session_factory), lambda n: n == 2 * rows)

    ids = mail_server.handler.message_ids()
    assert len(ids) == 2 * rows
    assert len(set(ids)) == 2 * rows


async def test_gives_up_after_the_attempts_then_retry_sends_it(
    session_factory: async_sessionmaker[AsyncSession], database_url: str, hooks: HookServer
) -> None:
    await add_project(session_factory)
    await municipal_contact(session_factory, webhook_url=hooks.url)
    hooks.status = 500
    await notify(session_factory, f"{PROJECT_ID}/7/municipal", [MUNICIPAL_BUREAU])

    async with running_sender(database_url, config(max_attempts=3)):
        (failed,) = await eventually(
            lambda: deliveries(session_factory),
            lambda rows: bool(rows) and rows[0].status == "failed",
        )
        assert failed.attempts == 3
        assert len(hooks.requests) == 3
        assert "HTTP 500" in (failed.last_error or "")
        async with session_factory() as session:
            (entry,) = await outbox_entries(session, failed_only=True)
            assert (await outbox_counts(session))[OutboxState.FAILED] == 1
        assert entry.delivery_id == failed.id
        assert entry.state is OutboxState.FAILED

        hooks.status = 200
        async with session_factory.begin() as session:
            await retry(session, [failed.id])
        (sent,) = await eventually(
            lambda: deliveries(session_factory), lambda rows: rows[0].status == "sent"
        )
    assert sent.attempts == 1
    assert len(hooks.requests) == 4
    assert len({h.headers["webhook-id"] for h in hooks.requests}) == 1


async def test_missing_contact_is_reported_then_delivered_once_set(
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
    mail_server: MailServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await add_project(session_factory)
    xuhui = Recipient(role=Role.DISTRICT_BUREAU, district="310104")
    await notify(session_factory, f"{PROJECT_ID}/4/district", [xuhui])
    caplog.set_level(logging.WARNING, logger="sender")

    async with running_sender(database_url, config(mail_server.url)):
        (row,) = await eventually(
            lambda: notifications(session_factory),
            lambda rows: rows[0].delivery_problem is not None,
        )
        assert "徐汇区" in (row.delivery_problem or "")
        assert "qis contacts set --role district_bureau --district 310104" in (
            row.delivery_problem or ""
        )
        assert row.planned_at is None
        assert "无法投递" in caplog.text
        async with session_factory() as session:
            (entry,) = await outbox_entries(session)
        assert entry.state is OutboxState.UNDELIVERABLE
        assert entry.reason == row.delivery_problem

        async with session_factory.begin() as session:
            await set_contact(
                session,
                role=Role.DISTRICT_BUREAU,
                district="310104",
                emails=["xuhui@example.cn"],
            )
        await eventually(lambda: count_sent(session_factory), lambda n: n == 1)
    assert [str(m["To"]) for m in mail_server.messages] == ["xuhui@example.cn"]


async def test_without_a_mail_server_mail_waits_and_says_why(
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
    mail_server: MailServer,
    hooks: HookServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await add_project(session_factory)
    await municipal_contact(session_factory, emails=MUNICIPAL_MAIL[:1], webhook_url=hooks.url)
    await notify(session_factory, f"{PROJECT_ID}/8/municipal", [MUNICIPAL_BUREAU])
    caplog.set_level(logging.INFO, logger="sender")

    async with running_sender(database_url, config(None)):
        rows = await eventually(
            lambda: deliveries(session_factory),
            lambda rows: len(rows) == 2 and {r.status for r in rows} == {"sent", "pending"},
        )
        mail = next(r for r in rows if r.channel == "email")
        await eventually(
            lambda: deliveries(session_factory),
            lambda rows: any(r.blocked == NO_SMTP for r in rows),
        )
        assert mail.attempts == 0  # nothing is used up while there is no server
    assert "QIS_SMTP_URL 未设置" in caplog.text
    async with session_factory() as session:
        states = Counter(e.state for e in await outbox_entries(session))
    assert states == {OutboxState.DELIVERED: 1, OutboxState.UNDELIVERABLE: 1}

    # A sender with a mail server sends it.
    async with running_sender(database_url, config(mail_server.url)):
        await eventually(lambda: count_sent(session_factory), lambda n: n == 2)
    assert [str(m["To"]) for m in mail_server.messages] == MUNICIPAL_MAIL[:1]
    assert all(r.blocked is None for r in await deliveries(session_factory))
