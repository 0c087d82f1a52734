"""Ops commands that work on the database directly (contacts, outbox): one transaction each."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import make_engine, make_session_factory
from infra.settings import get_settings

T = TypeVar("T")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="DATABASE_URL",
        help="PostgreSQL 连接串；未设置时使用 QIS_DATA_DIR 下的内置数据库",
        show_default=False,
    ),
]


class CommandError(Exception):
    """A request the command refuses, with a Chinese message saying what to change."""


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
    from stack.postgres import embedded_postgres  # the run command's PostgreSQL

    async with embedded_postgres(get_settings().qis_data_dir.resolve()) as url:
        return await _in_session(url, work)


def run_in_database(
    database_url: str | None,
    work: Callable[[AsyncSession], Awaitable[T]],
    refusals: tuple[type[Exception], ...] = (),
) -> T:
    """Run `work` in one transaction; a Chinese message and exit code 1 or 2 on failure."""
    refused: tuple[type[Exception], ...] = (CommandError, *refusals)
    try:
        return asyncio.run(_with_database(database_url, work))
    except refused as err:
        typer.echo(f"错误：{getattr(err, 'message', err)}", err=True)
        raise typer.Exit(2) from err
    except ProgrammingError as err:
        typer.echo(f"错误：数据库尚未迁移（{err.orig}），请先运行 qis migrate 或 qis run", err=True)
        raise typer.Exit(1) from err
    except (DBAPIError, OSError) as err:
        typer.echo(f"错误：无法连接数据库：{err}", err=True)
        raise typer.Exit(1) from err
