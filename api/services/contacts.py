"""Where notifications go: contacts per role, district or credit code (qis contacts, /v1/contacts).

A unit's notifications also go to its project contact's e-mail, which is not stored here.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import InvalidInput
from api.schemas import DeliveryContactRead, DeliveryContactSaved
from db import tables
from domain.actors import Role
from domain.credit_code import credit_code_problem
from domain.districts import district_name, is_district
from sender import WAKE_CHANNEL
from sender.recipients import recipient_label
from sender.webhook import new_secret

MAX_EMAILS = 20
MAX_EMAIL_LENGTH = 200
MAX_URL_LENGTH = 500
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def contact_scope(role: Role, district: str | None, credit_code: str | None) -> str:
    """The stored scope of a contact: its district, its credit code or '' (every one of the role)."""
    district = (district or "").strip() or None
    credit_code = (credit_code or "").strip() or None
    if district is not None:
        if role is not Role.DISTRICT_BUREAU:
            raise InvalidInput(
                f"只有区市场监管局按区登记联系方式，{role.label}不需要区代码", "district"
            )
        if not is_district(district):
            raise InvalidInput(
                f"未知的区代码“{district}”，应为上海市16个区之一，如 310115", "district"
            )
        return district
    if credit_code is not None:
        if role is not Role.UNIT:
            raise InvalidInput(
                f"只有实施单位按统一社会信用代码登记，{role.label}不需要信用代码", "credit_code"
            )
        problem = credit_code_problem(credit_code)
        if problem:
            raise InvalidInput(problem, "credit_code")
        return credit_code
    return ""


def checked_emails(emails: Sequence[str]) -> list[str]:
    """The addresses, trimmed and without repeats; InvalidInput naming the first bad one."""
    result: list[str] = []
    for index, raw in enumerate(emails):
        email = raw.strip()
        if len(email) > MAX_EMAIL_LENGTH or not EMAIL.match(email):
            raise InvalidInput(
                f"电子邮箱“{email[:60]}”格式不正确，例如 qis@example.cn", f"emails[{index}]"
            )
        if email not in result:
            result.append(email)
    if len(result) > MAX_EMAILS:
        raise InvalidInput(f"最多登记{MAX_EMAILS}个邮箱", "emails")
    return result


def checked_webhook(url: str | None) -> str | None:
    """An http(s) URL with a host, or None; InvalidInput otherwise."""
    url = (url or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a bad port
    except ValueError as err:
        raise InvalidInput(f"webhook 地址无效：{err}", "webhook_url") from err
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(url) > MAX_URL_LENGTH
        or any(c.isspace() for c in url)
    ):
        raise InvalidInput(
            "webhook 地址应为 http:// 或 https:// 开头的完整地址，如 https://example.cn/qis/hook",
            "webhook_url",
        )
    return url


def contact_read(row: tables.Contact) -> DeliveryContactRead:
    """A stored contact as the API shows it."""
    role = Role(row.role)
    district = row.scope if role is Role.DISTRICT_BUREAU and row.scope else None
    credit_code = row.scope if role is Role.UNIT and row.scope else None
    return DeliveryContactRead(
        role=role,
        role_label=role.label,
        district=district,
        district_name=district_name(district) if district else None,
        credit_code=credit_code,
        recipient=recipient_label(role.value, district, credit_code)
        + ("" if row.scope or role is Role.MUNICIPAL_BUREAU else "（全部）"),
        emails=list(row.emails),
        webhook_url=row.webhook_url,
        updated_at=row.updated_at,
    )


async def list_contacts(session: AsyncSession) -> list[DeliveryContactRead]:
    """Every registered contact, by role and scope."""
    rows = await session.scalars(
        select(tables.Contact).order_by(tables.Contact.role, tables.Contact.scope)
    )
    return [contact_read(row) for row in rows]


async def find_contact(
    session: AsyncSession,
    *,
    role: Role,
    district: str | None = None,
    credit_code: str | None = None,
) -> tables.Contact | None:
    """The stored contact of exactly this role and scope, if any."""
    scope = contact_scope(role, district, credit_code)
    return await session.scalar(
        select(tables.Contact).where(
            tables.Contact.role == role.value, tables.Contact.scope == scope
        )
    )


async def set_contact(
    session: AsyncSession,
    *,
    role: Role,
    district: str | None = None,
    credit_code: str | None = None,
    emails: Sequence[str] = (),
    webhook_url: str | None = None,
    rotate_secret: bool = False,
) -> DeliveryContactSaved:
    """Replace one contact; a contact with neither e-mail nor webhook is removed.

    A new webhook secret is made when the webhook is first set, changes, or `rotate_secret`;
    only then is it returned, once.
    """
    scope = contact_scope(role, district, credit_code)
    addresses = checked_emails(emails)
    url = checked_webhook(webhook_url)
    if rotate_secret and url is None:
        raise InvalidInput("没有 webhook 地址，无从更换签名密钥", "rotate_secret")
    row = await session.scalar(
        select(tables.Contact)
        .where(tables.Contact.role == role.value, tables.Contact.scope == scope)
        .with_for_update()
    )
    now = datetime.now(UTC)
    if row is None:
        row = tables.Contact(role=role.value, scope=scope, emails=[], updated_at=now)
        if addresses or url:
            session.add(row)
    secret: str | None = None
    if url is not None and (url != row.webhook_url or rotate_secret or not row.webhook_secret):
        secret = new_secret()
        row.webhook_secret = secret
    if url is None:
        row.webhook_secret = None
    row.emails = addresses
    row.webhook_url = url
    row.updated_at = now
    if not addresses and url is None and row.id is not None:
        await session.delete(row)
    await session.flush()
    # Rows waiting for this contact are looked at again now (the table's trigger also wakes
    # senders; this covers a deletion of nothing).
    await session.execute(text("SELECT pg_notify(:c, 'contacts')"), {"c": WAKE_CHANNEL})
    return DeliveryContactSaved(**contact_read(row).model_dump(), webhook_secret=secret)
