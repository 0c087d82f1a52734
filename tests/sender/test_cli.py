"""`qis contacts` and `qis outbox`, against the per-test database."""

import asyncio
import base64

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook
from typer.testing import CliRunner, Result

from db import tables
from domain.actors import Role
from domain.effects import Recipient
from qis import cli_contacts, cli_outbox
from tests.helpers import CREDIT_CODE, eventually
from tests.sender.helpers import (
    DISTRICT_BUREAU,
    MUNICIPAL_BUREAU,
    PROJECT_ID,
    add_project,
    config,
    count_sent,
    deliveries,
    notify,
    running_sender,
)
from tests.sender.servers import HookServer, MailServer

root = typer.Typer()
cli_contacts.register(root)
cli_outbox.register(root)


async def qis(database_url: str, *args: str) -> Result:
    """Run a `qis` command in a thread (it runs its own event loop, as the real one does)."""

    def invoke() -> Result:
        return CliRunner().invoke(root, [*args, "--database-url", database_url])

    return await asyncio.to_thread(invoke)


async def test_contacts_set_and_list(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    emails = ["--email", "a@pudong.example.cn", "--email", "b@pudong.example.cn"]
    done = await qis(database_url, "contacts", "set", "--role", "district_bureau",
                     "--district", "310115", *emails)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "区市场监管局（浦东新区 310115）" in done.output
    assert "whsec_" not in done.output

    hooked = await qis(database_url, "contacts", "set", "--role", "district_bureau",
                       "--district", "310115", "--webhook", "https://oa.pudong.example.cn/qis")  # fmt: skip
    assert hooked.exit_code == 0, hooked.output
    secret = hooked.output.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    async with session_factory() as session:
        row = await session.scalar(select(tables.Contact))
    assert row is not None
    assert row.emails == ["a@pudong.example.cn", "b@pudong.example.cn"]  # kept
    assert row.webhook_secret == secret
    Webhook(secret)  # a secret the receivers' library takes

    unit = await qis(database_url, "contacts", "set", "--role", "unit",
                     "--credit-code", CREDIT_CODE, "--webhook", "https://unit.example.cn/hook")  # fmt: skip
    assert unit.exit_code == 0, unit.output
    assert "项目联系人邮箱" in unit.output

    listed = await qis(database_url, "contacts", "list")
    assert listed.exit_code == 0, listed.output
    assert "浦东新区 310115" in listed.output
    assert "b@pudong.example.cn" in listed.output
    assert "https://unit.example.cn/hook" in listed.output
    assert "whsec_" not in listed.output

    removed = await qis(database_url, "contacts", "set", "--role", "unit",
                        "--credit-code", CREDIT_CODE, "--no-webhook")  # fmt: skip
    assert removed.exit_code == 0, removed.output
    assert "已删除" in removed.output


async def test_contacts_set_refuses_bad_input(database_url: str) -> None:
    for args, words in [
        (["--role", "district_bureau", "--district", "310199", "--email", "a@b.cn"], "未知的区代码"),
        (["--role", "municipal_bureau", "--district", "310115", "--email", "a@b.cn"], "只有区市场监管局"),
        (["--role", "municipal_bureau", "--email", "nobody"], "格式不正确"),
        (["--role", "municipal_bureau", "--webhook", "mailto:a@b.cn"], "http"),
        (["--role", "municipal_bureau"], "至少给出"),
        (["--role", "mayor", "--email", "a@b.cn"], "mayor"),
    ]:  # fmt: skip
        result = await qis(database_url, "contacts", "set", *args)
        assert result.exit_code != 0, args
        assert words in result.output, (args, result.output)


async def test_outbox_list_and_retry(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    mail_server: MailServer,
    hooks: HookServer,
) -> None:
    await add_project(session_factory)
    assert (await qis(database_url, "contacts", "set", "--role", "municipal_bureau",
                      "--email", "qis@scjgj.example.cn", "--webhook", hooks.url)).exit_code == 0  # fmt: skip
    hooks.status = 500
    await notify(session_factory, f"{PROJECT_ID}/1/municipal", [MUNICIPAL_BUREAU])
    xuhui = Recipient(role=Role.DISTRICT_BUREAU, district="310104")
    await notify(session_factory, f"{PROJECT_ID}/2/district", [DISTRICT_BUREAU, xuhui])

    async with running_sender(database_url, config(mail_server.url, max_attempts=2)):
        rows = await eventually(
            lambda: deliveries(session_factory),
            lambda rows: {r.status for r in rows} == {"sent", "failed"},
        )
    (failed,) = [r for r in rows if r.status == "failed"]

    listed = await qis(database_url, "outbox", "list")
    assert listed.exit_code == 0, listed.output
    for words in ("已送达", "已放弃", "无法投递", "HTTP 500", "徐汇区", "qis contacts set"):
        assert words in listed.output, (words, listed.output)
    assert "合计：已送达 1，等待发送 0，重试中 0，无法投递 2，已放弃 1" in listed.output

    only_failed = await qis(database_url, "outbox", "list", "--failed")
    assert only_failed.exit_code == 0, only_failed.output
    assert "HTTP 500" in only_failed.output
    assert "已送达" not in only_failed.output.split("合计")[0]

    unknown = await qis(database_url, "outbox", "retry", "999999")
    assert unknown.exit_code == 2
    assert "没有编号为 999999 的投递" in unknown.output
    sent = next(r for r in rows if r.status == "sent")
    again = await qis(database_url, "outbox", "retry", str(sent.id))
    assert again.exit_code == 2
    assert "已送达" in again.output

    hooks.status = 200
    retried = await qis(database_url, "outbox", "retry", str(failed.id))
    assert retried.exit_code == 0, retried.output
    assert f"已重新排队投递 {failed.id}" in retried.output
    async with running_sender(database_url, config(mail_server.url)):
        await eventually(lambda: count_sent(session_factory), lambda n: n == 2)
    assert len(hooks.requests) == 3  # two attempts that failed, one that went through
    assert "没有已放弃的投递" in (await qis(database_url, "outbox", "retry", "--all-failed")).output
