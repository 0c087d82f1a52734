"""Who an outbox row reaches: the contacts registered for its recipient, and a unit's e-mail."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from domain.actors import Role
from domain.districts import DISTRICTS
from sender.status import Channel


@dataclass(frozen=True)
class Address:
    """A concrete place to deliver to: an e-mail address or a webhook URL."""

    channel: Channel
    address: str


def contact_scope(role: str, district: str | None, credit_code: str | None) -> str:
    """The `contacts.scope` a recipient's own contact has ('' when the role has no narrower one)."""
    if role == Role.DISTRICT_BUREAU.value:
        return district or ""
    if role == Role.UNIT.value:
        return credit_code or ""
    return ""


def recipient_label(role: str, district: str | None, credit_code: str | None) -> str:
    """A recipient in Chinese, e.g. “区市场监管局（浦东新区 310115）”."""
    try:
        label = Role(role).label
    except ValueError:
        label = role
    if district:
        return f"{label}（{DISTRICTS.get(district, '未知区')} {district}）"
    if credit_code:
        return f"{label}（{credit_code}）"
    return label


def contact_command(role: str, scope: str) -> str:
    """The command that registers a contact for a recipient, for messages to ops."""
    option = {Role.DISTRICT_BUREAU.value: "--district", Role.UNIT.value: "--credit-code"}
    narrower = f" {option[role]} {scope}" if scope and role in option else ""
    return f"qis contacts set --role {role}{narrower} --email 地址 或 --webhook URL"


def unit_email(spec: dict[str, Any]) -> str | None:
    """The project contact's e-mail in a stored project spec (unit.contact.email)."""
    email = spec.get("unit", {}).get("contact", {}).get("email")
    return email.strip() if isinstance(email, str) and email.strip() else None


class Directory:
    """The contacts, and the unit e-mails of a batch's projects, to resolve outbox rows with."""

    def __init__(self, contacts: Iterable[tables.Contact], unit_emails: dict[str, str | None]):
        self._contacts = {(c.role, c.scope): c for c in contacts}
        self._unit_emails = unit_emails

    def addresses(self, row: tables.Notification) -> list[Address]:
        """Every address the row goes to: its own contact's, the role-wide one's, a unit's e-mail."""
        scope = contact_scope(row.recipient_role, row.recipient_district, row.recipient_credit_code)
        found: list[Address] = []
        if row.recipient_role == Role.UNIT.value:
            email = self._unit_emails.get(row.project_id)
            if email:
                found.append(Address(Channel.EMAIL, email))
        for key in {(row.recipient_role, scope), (row.recipient_role, "")}:
            contact = self._contacts.get(key)
            if contact is None:
                continue
            found += [Address(Channel.EMAIL, e) for e in contact.emails]
            if contact.webhook_url:
                found.append(Address(Channel.WEBHOOK, contact.webhook_url))
        return sorted(set(found), key=lambda a: (a.channel.value, a.address))

    def problem(self, row: tables.Notification) -> str:
        """Why a row has no address, in Chinese, with what to do about it."""
        who = recipient_label(row.recipient_role, row.recipient_district, row.recipient_credit_code)
        scope = contact_scope(row.recipient_role, row.recipient_district, row.recipient_credit_code)
        if row.recipient_role == Role.UNIT.value and row.project_id not in self._unit_emails:
            return (
                f"项目 {row.project_id} 尚未写入数据库，暂不能取得{who}的联系人邮箱，稍后自动重试"
            )
        if row.recipient_role == Role.UNIT.value:
            return f"{who}的项目联系人没有邮箱，也未登记 webhook；请更新项目联系方式或运行 {contact_command(row.recipient_role, scope)}"
        return f"未登记{who}的联系方式；请运行 {contact_command(row.recipient_role, scope)}"


async def load_directory(session: AsyncSession, project_ids: Iterable[str]) -> Directory:
    """The directory for rows of these projects (all contacts: there are few)."""
    contacts = list(await session.scalars(select(tables.Contact)))
    ids = sorted(set(project_ids))
    emails: dict[str, str | None] = {}
    if ids:
        rows = await session.execute(
            select(tables.Project.id, tables.Project.spec).where(tables.Project.id.in_(ids))
        )
        emails = {pid: unit_email(spec) for pid, spec in rows}
    return Directory(contacts, emails)
