"""What arrives: one mail per address (Chinese subject, project name, link), signed webhooks."""

import json
import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from api.services.contacts import set_contact
from domain.actors import Role
from tests.helpers import CREDIT_CODE, DISTRICT, eventually
from tests.sender.helpers import (
    DISTRICT_BUREAU,
    MUNICIPAL_BUREAU,
    PROJECT_ID,
    PROJECT_NAME,
    PUBLIC_URL,
    UNIT,
    add_project,
    config,
    count_sent,
    deliveries,
    notifications,
    notify,
    running_sender,
)
from tests.sender.servers import HookServer, MailServer

LINK = f"{PUBLIC_URL}/console/projects/{PROJECT_ID}"


async def contact(
    sessions: async_sessionmaker[AsyncSession], role: Role, **fields: object
) -> str | None:
    """Register a contact; the webhook secret when one was made."""
    async with sessions.begin() as session:
        saved = await set_contact(session, role=role, **fields)  # type: ignore[arg-type]
    return saved.webhook_secret


async def test_one_mail_per_address_with_the_project_and_its_link(
    session_factory: async_sessionmaker[AsyncSession], database_url: str, mail_server: MailServer
) -> None:
    await add_project(session_factory)
    bureau_mail = ["zhiliang@pudong.example.cn", "keshi@pudong.example.cn"]
    await contact(session_factory, Role.DISTRICT_BUREAU, district=DISTRICT, emails=bureau_mail)
    await notify(session_factory, f"{PROJECT_ID}/2/district", [DISTRICT_BUREAU, UNIT])

    async with running_sender(database_url, config(mail_server.url)):
        await eventually(lambda: count_sent(session_factory), lambda n: n == 3)

    by_address = {str(m["To"]): m for m in mail_server.messages}
    assert len(mail_server.messages) == 3
    assert sorted(by_address) == sorted([*bureau_mail, "qis@example.cn"])  # the unit's contact
    for message in mail_server.messages:
        assert message["Subject"] == f"【{PROJECT_NAME}】请作出验收决定"
        assert message["From"] == "qis@localhost"
        text = message.get_content()
        assert "请于2026-07-01前作出验收决定" in text
        assert PROJECT_NAME in text
        assert LINK in text
    # Two rows (district bureau, unit): each marked sent once all its deliveries are.
    assert all(row.sent_at is not None for row in await notifications(session_factory))
    assert len(set(mail_server.handler.message_ids())) == 3


async def test_webhook_is_signed_and_keeps_its_id_across_retries(
    session_factory: async_sessionmaker[AsyncSession], database_url: str, hooks: HookServer
) -> None:
    await add_project(session_factory)
    secret = await contact(session_factory, Role.MUNICIPAL_BUREAU, webhook_url=hooks.url)
    assert secret is not None
    assert secret.startswith("whsec_")
    hooks.status = 503  # the first attempts fail
    await notify(session_factory, f"{PROJECT_ID}/5/municipal", [MUNICIPAL_BUREAU])

    async with running_sender(database_url, config()):  # no mail server: webhooks still go
        await eventually(lambda: _count(hooks), lambda n: n >= 2)
        hooks.status = 200
        await eventually(lambda: count_sent(session_factory), lambda n: n == 1)

    ids = {hook.headers["webhook-id"] for hook in hooks.requests}
    assert len(ids) == 1
    assert re.fullmatch(r"msg_[0-9a-f]{32}", ids.pop())
    for hook in hooks.requests:
        assert re.fullmatch(r"v1,[A-Za-z0-9+/=]+", hook.headers["webhook-signature"])
        payload = Webhook(secret).verify(hook.body, hook.headers)
        assert payload["type"] == "project.notification"
        data = payload["data"]
        assert data["event"] == f"{PROJECT_ID}/5/municipal"
        assert data["project_id"] == PROJECT_ID
        assert data["project_name"] == PROJECT_NAME
        assert data["subject"] == f"【{PROJECT_NAME}】请作出验收决定"
        assert data["text"] == "实施单位已申请验收，请于2026-07-01前作出验收决定。"
        assert data["link"] == LINK
        assert data["recipient"]["role"] == "municipal_bureau"
    assert json.loads(hooks.requests[-1].body)["data"]["recipient"]["label"] == "市市场监管局"
    (delivery,) = await deliveries(session_factory)
    assert delivery.attempts == len(hooks.requests)


async def _count(hooks: HookServer) -> int:
    return len(hooks.requests)


async def test_a_unit_gets_its_project_mail_and_its_webhook(
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
    mail_server: MailServer,
    hooks: HookServer,
) -> None:
    await add_project(session_factory)
    secret = await contact(
        session_factory, Role.UNIT, credit_code=CREDIT_CODE, webhook_url=hooks.url
    )
    assert secret is not None
    await notify(session_factory, f"{PROJECT_ID}/3/unit", [UNIT], subject="通过验收")

    async with running_sender(database_url, config(mail_server.url)):
        await eventually(lambda: count_sent(session_factory), lambda n: n == 2)

    assert [str(m["To"]) for m in mail_server.messages] == ["qis@example.cn"]
    (hook,) = hooks.requests
    assert Webhook(secret).verify(hook.body, hook.headers)["data"]["recipient"] == {
        "role": "unit",
        "district": None,
        "credit_code": CREDIT_CODE,
        "label": f"实施单位（{CREDIT_CODE}）",
    }
    # Every address of one row carries the row's id.
    assert mail_server.messages[0]["Message-ID"].startswith(f"<{hook.headers['webhook-id']}.")
