"""`qis contacts set | list`: where each recipient's notifications go (e-mail, webhook)."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import InvalidInput
from api.schemas import DeliveryContactRead, DeliveryContactSaved
from api.services.contacts import find_contact, list_contacts, set_contact
from domain.actors import Role
from domain.durations import SHANGHAI
from qis.cli_database import CommandError, DatabaseUrl, run_in_database

app = typer.Typer(
    help="通知联系方式 / Where notifications go: e-mail addresses and signed webhooks.",
    no_args_is_help=True,
)


def _describe(contact: DeliveryContactRead) -> str:
    parts = []
    if contact.emails:
        parts.append("邮箱 " + "、".join(contact.emails))
    if contact.webhook_url:
        parts.append(f"webhook {contact.webhook_url}")
    return "；".join(parts) if parts else "（无）"


@app.command("set")
def set_(
    role: Annotated[Role, typer.Option("--role", help="收件角色", case_sensitive=False)],
    district: Annotated[
        str | None, typer.Option("--district", help="区代码（区市场监管局），如 310115")
    ] = None,
    credit_code: Annotated[
        str | None,
        typer.Option("--credit-code", help="统一社会信用代码（实施单位的 webhook）"),
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option("--email", help="收件邮箱，可重复；给出即替换原有邮箱", show_default=False),
    ] = None,
    no_email: Annotated[bool, typer.Option("--no-email", help="不再发邮件")] = False,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="webhook 地址（http/https）", show_default=False)
    ] = None,
    no_webhook: Annotated[bool, typer.Option("--no-webhook", help="删除 webhook")] = False,
    rotate_secret: Annotated[
        bool, typer.Option("--rotate-secret", help="webhook 地址不变也更换签名密钥")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """登记联系方式 / Set a recipient's e-mails and webhook; a new webhook's secret is printed once, last."""
    if email is None and webhook is None and not (no_email or no_webhook or rotate_secret):
        typer.echo("错误：请至少给出 --email、--webhook、--no-email 或 --no-webhook 之一", err=True)
        raise typer.Exit(2)
    if email and no_email:
        typer.echo("错误：--email 与 --no-email 不能同时使用", err=True)
        raise typer.Exit(2)
    if webhook and no_webhook:
        typer.echo("错误：--webhook 与 --no-webhook 不能同时使用", err=True)
        raise typer.Exit(2)

    async def work(session: AsyncSession) -> DeliveryContactSaved:
        """Merge the options with what is stored, then save."""
        current = await find_contact(session, role=role, district=district, credit_code=credit_code)
        emails = (
            []
            if no_email
            else email
            if email is not None
            else list(current.emails if current else [])
        )
        url = None if no_webhook else webhook or (current.webhook_url if current else None)
        if rotate_secret and url is None:
            raise CommandError("没有 webhook 地址，无从更换签名密钥")
        return await set_contact(
            session,
            role=role,
            district=district,
            credit_code=credit_code,
            emails=emails,
            webhook_url=url,
            rotate_secret=rotate_secret,
        )

    saved = run_in_database(database_url, work, (InvalidInput,))
    if not saved.emails and not saved.webhook_url:
        typer.echo(f"已删除{saved.recipient}的联系方式")
        return
    typer.echo(f"已登记{saved.recipient}的联系方式：{_describe(saved)}")
    if saved.role is Role.UNIT:
        typer.echo("（实施单位的邮件另发往其项目联系人邮箱）")
    if saved.webhook_secret:
        typer.echo(
            "webhook 签名密钥如下，只显示这一次，请交给接收方用于验证签名（Standard Webhooks）："
        )
        typer.echo(saved.webhook_secret)


@app.command("list")
def list_(database_url: DatabaseUrl = None) -> None:
    """列出联系方式 / List where notifications go (secrets are not shown)."""
    rows = run_in_database(database_url, list_contacts)
    table = Table(title=f"通知联系方式（{len(rows)}）")
    for column in ("收件方", "邮箱", "webhook", "更新时间"):
        table.add_column(column)
    for row in rows:
        updated = (
            row.updated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if row.updated_at else ""
        )
        table.add_row(row.recipient, "\n".join(row.emails) or "—", row.webhook_url or "—", updated)
    Console(width=200).print(table)
    if not rows:
        typer.echo(
            "尚未登记：用 qis contacts set --role ROLE [--district 区代码] --email 地址 登记"
        )
    typer.echo("实施单位的通知发往各项目的联系人邮箱，另可为其信用代码登记 webhook。")


def register(root: typer.Typer) -> None:
    """Add `qis contacts …` to the root command."""
    root.add_typer(app, name="contacts")
