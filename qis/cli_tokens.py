"""`qis token create | revoke | list`: API tokens, kept in the database as hashes only."""

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.tokens import TokenError, create_token, list_tokens, revoke_token
from db import tables
from domain.actors import Role
from domain.districts import district_name
from domain.durations import SHANGHAI
from qis.cli_database import DatabaseUrl, run_in_database

T = TypeVar("T")

app = typer.Typer(
    help="访问凭证 / API tokens: create, revoke, list (the database keeps only their hashes).",
    no_args_is_help=True,
)


def _run(database_url: str | None, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction; a refused token request exits 2 with its message."""
    return run_in_database(database_url, work, refusals=(TokenError,))


def _scope(row: tables.Token) -> str:
    role = Role(row.role)
    if row.district:
        return f"{role.label}（{district_name(row.district)} {row.district}）"
    if row.credit_code:
        return f"{role.label}（{row.credit_code}）"
    return role.label


@app.command("create")
def create(
    role: Annotated[Role, typer.Option("--role", help="角色", case_sensitive=False)],
    district: Annotated[
        str | None, typer.Option("--district", help="区代码（区市场监管局必填），如 310115")
    ] = None,
    credit_code: Annotated[
        str | None, typer.Option("--credit-code", help="统一社会信用代码（实施单位必填）")
    ] = None,
    label: Annotated[str, typer.Option("--label", help="经办人或用途，记入每个决定")] = "",
    database_url: DatabaseUrl = None,
) -> None:
    """创建凭证 / Create a token; it is printed once, alone on the last line."""

    async def work(session: AsyncSession) -> tuple[tables.Token, str]:
        """Create the token in the session."""
        return await create_token(
            session, role=role, district=district, credit_code=credit_code, label=label
        )

    row, token = _run(database_url, work)
    typer.echo(
        f"已创建凭证 {row.id}：{_scope(row)}" + (f"，标签“{row.label}”" if row.label else "")
    )
    typer.echo(
        "请妥善保存，凭证只显示这一次（数据库只保存其哈希）；撤消：qis token revoke " + row.id[:8]
    )
    typer.echo(token)


@app.command("revoke")
def revoke(
    ident: Annotated[
        str, typer.Argument(metavar="ID_OR_PREFIX", help="凭证编号、其前缀（至少4位）或凭证本身")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """撤消凭证 / Revoke a token; requests with it get 401 from then on."""

    async def work(session: AsyncSession) -> tables.Token:
        """Revoke the token in the session."""
        return await revoke_token(session, ident)

    row = _run(database_url, work)
    assert row.revoked_at is not None
    when = row.revoked_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    typer.echo(f"已撤消凭证 {row.id}：{_scope(row)}（{when}）")


@app.command("list")
def list_(database_url: DatabaseUrl = None) -> None:
    """列出凭证 / List tokens (ids and scopes; tokens themselves are never stored)."""
    rows = _run(database_url, list_tokens)
    table = Table(title=f"凭证（{len(rows)}）")
    for column in ("编号", "角色与范围", "标签", "创建时间", "状态"):
        table.add_column(column)
    for row in rows:
        created = row.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        status = (
            "有效"
            if row.revoked_at is None
            else f"已撤消 {row.revoked_at.astimezone(SHANGHAI):%Y-%m-%d}"
        )
        table.add_row(row.id[:12], _scope(row), row.label, created, status)
    Console(width=160).print(table)


def register(root: typer.Typer) -> None:
    """Add `qis token …` to the root command."""
    root.add_typer(app, name="token")
