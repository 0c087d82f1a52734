"""`qis token create | revoke | list`: API tokens, kept in the database as hashes only."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.tokens import TokenError, create_token, list_tokens, revoke_token
from db import tables
from db.engine import make_engine, make_session_factory
from domain.actors import Role
from domain.districts import district_name
from domain.durations import SHANGHAI
from qis.settings import get_settings

T = TypeVar("T")

app = typer.Typer(
    help="访问凭证 / API tokens: create, revoke, list (the database keeps only their hashes).",
    no_args_is_help=True,
)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="DATABASE_URL",
        help="PostgreSQL 连接串；未设置时使用 QIS_DATA_DIR 下的内置数据库",
        show_default=False,
    ),
]


async def _in_session(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = make_engine(url)
    try:
        async with make_session_factory(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


async def _with_database(
    database_url: str | None, work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    if database_url:
        return await _in_session(database_url, work)
    from qis import stack  # the embedded PostgreSQL of the run command

    async with stack.embedded_postgres(get_settings().qis_data_dir.resolve()) as url:
        return await _in_session(url, work)


def _run(database_url: str | None, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction; a Chinese message and exit code 1 or 2 on failure."""
    try:
        return asyncio.run(_with_database(database_url, work))
    except TokenError as err:
        typer.echo(f"错误：{err}", err=True)
        raise typer.Exit(2) from err
    except ProgrammingError as err:
        typer.echo(f"错误：数据库尚未迁移（{err.orig}），请先运行 qis migrate 或 qis run", err=True)
        raise typer.Exit(1) from err
    except (DBAPIError, OSError) as err:
        typer.echo(f"错误：无法连接数据库：{err}", err=True)
        raise typer.Exit(1) from err


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
