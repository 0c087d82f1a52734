"""`qis outbox list | retry`: what was delivered, what waits, what gave up and why."""

from collections import Counter
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from domain.durations import SHANGHAI
from qis.cli_database import DatabaseUrl, run_in_database
from sender.outbox import OutboxEntry, OutboxError, outbox_counts, outbox_entries, retry
from sender.status import OutboxState

app = typer.Typer(
    help="通知发件箱 / The notification outbox: deliveries, failures, retries.",
    no_args_is_help=True,
)


def _time(entry: OutboxEntry) -> str:
    if entry.when is None:
        return ""
    shown = entry.when.astimezone(SHANGHAI).strftime("%m-%d %H:%M:%S")
    if entry.state in (OutboxState.WAITING, OutboxState.RETRYING):
        return f"下次 {shown}"
    return shown


def _summary(counts: Counter[OutboxState]) -> str:
    return "，".join(f"{state.label} {counts[state]}" for state in OutboxState)


@app.command("list")
def list_(
    failed: Annotated[bool, typer.Option("--failed", help="只列出已放弃的投递")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="最多列出的通知条数")] = 50,
    database_url: DatabaseUrl = None,
) -> None:
    """列出发件箱 / The newest notifications and their deliveries (编号 is what retry takes)."""

    async def work(session: AsyncSession) -> tuple[list[OutboxEntry], Counter[OutboxState]]:
        """The entries and the totals."""
        entries = await outbox_entries(session, failed_only=failed, limit=limit)
        return entries, await outbox_counts(session)

    entries, counts = run_in_database(database_url, work)
    title = "已放弃的投递" if failed else "通知发件箱"
    table = Table(title=f"{title}（{len(entries)}）")
    for column in (
        "编号",
        "通知",
        "收件方",
        "渠道",
        "地址",
        "状态",
        "次数",
        "时间",
        "主题",
        "原因",
    ):
        table.add_column(column, overflow="fold")
    for e in entries:
        table.add_row(
            str(e.delivery_id) if e.delivery_id is not None else "—",
            str(e.notification_id),
            e.recipient,
            e.channel.label if e.channel else "—",
            e.address or "—",
            e.state.label,
            str(e.attempts),
            _time(e),
            e.subject,
            e.reason or "",
        )
    Console(width=240).print(table)
    typer.echo(f"合计：{_summary(counts)}")
    if counts[OutboxState.FAILED]:
        typer.echo("重发：qis outbox retry 编号（或 --all-failed 重发全部已放弃的投递）")


@app.command("retry")
def retry_(
    ids: Annotated[
        list[int] | None,
        typer.Argument(metavar="ID...", help="投递编号（qis outbox list 的“编号”）"),
    ] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="重发全部已放弃的投递")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """重发 / Send deliveries again from the first attempt; a running sender picks them up at once."""
    if not ids and not all_failed:
        typer.echo("错误：请给出投递编号，或用 --all-failed 重发全部已放弃的投递", err=True)
        raise typer.Exit(2)
    if ids and all_failed:
        typer.echo("错误：投递编号与 --all-failed 不能同时使用", err=True)
        raise typer.Exit(2)

    async def work(session: AsyncSession) -> list[tables.Delivery]:
        """Put the deliveries back in the queue."""
        return await retry(session, None if all_failed else ids)

    rows = run_in_database(database_url, work, (OutboxError,))
    if not rows:
        typer.echo("没有已放弃的投递")
        return
    for row in rows:
        typer.echo(f"已重新排队投递 {row.id}：{row.address}")
    typer.echo(f"共 {len(rows)} 条，运行中的发送程序会立即发送（qis sender 或 qis run）")


def register(root: typer.Typer) -> None:
    """Add `qis outbox …` to the root command."""
    root.add_typer(app, name="outbox")
