"""The `qis` command: `run`, `migrate`, `worker`, `api`, `sender` here; other groups register on `app`."""

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from typing import NoReturn

import typer

from domain.policy import PolicyError
from infra.settings import get_settings
from qis import cli_contacts, cli_outbox, cli_projects, cli_tokens

app = typer.Typer(
    help="QIS 质量基础设施集成服务项目生命周期引擎 / QIS lifecycle engine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
cli_tokens.register(app)
cli_projects.register(app)
cli_contacts.register(app)
cli_outbox.register(app)


def configure_logging() -> None:
    """JSON lines on stderr (QIS_LOG_FORMAT=text for a terminal), secrets masked: qis.logs."""
    from qis import logs

    logs.configure(get_settings().qis_log_format)


@app.command()
def run() -> None:
    """启动全部服务 / Start PostgreSQL, Temporal, the worker, the API and the sender; Ctrl-C stops them."""
    # Imported here so that the other commands do not load the worker and the API.
    from qis.run import run_until_stopped

    configure_logging()
    settings = get_settings()
    try:
        settings.policy()  # a bad QIS_POLICY_FILE is refused before anything starts
    except PolicyError as err:
        logging.getLogger("qis").error("%s", err)
        raise typer.Exit(2) from err
    _serve_then_leave(lambda: run_until_stopped(settings))


@app.command()
def migrate() -> None:
    """迁移数据库 / Apply the migrations to DATABASE_URL or to the embedded PostgreSQL."""
    from qis.run import migrate_database, shown_url
    from stack.processes import StackError

    configure_logging()
    try:
        url = asyncio.run(migrate_database(get_settings()))
    except StackError as err:
        logging.getLogger("qis").error("%s", err)
        raise typer.Exit(1) from err
    typer.echo(f"数据库已是最新 / database is up to date: {shown_url(url)}")


def _serve_part(name: str) -> None:
    """Run one part (`worker` or `api`) until SIGTERM or SIGINT; exit 0 once drained."""
    from qis import processes

    configure_logging()
    settings = get_settings()
    serve = processes.serve_worker if name == "worker" else processes.serve_api

    def until_drained() -> None:
        asyncio.run(serve(settings))
        logging.getLogger("qis").info("已停止 / stopped")

    _serve_then_leave(until_drained)


def _serve_then_leave(serve: Callable[[], None]) -> NoReturn:
    """Run `serve` until it returns (exit 0) or raises a StackError (logged, exit 1); by then
    whatever it had started is stopped (its exit stacks unwound)."""
    from stack.processes import StackError

    try:
        serve()
    except StackError as err:
        logging.getLogger("qis").error("%s", err)
        _leave(1)
    _leave(0)


def _leave(code: int) -> NoReturn:
    """Exit with `code` once everything has stopped, skipping the interpreter's finalization.

    The Temporal client's native threads may still be winding down while the interpreter
    finalizes, and then abort the process ("PyGILState_Release: thread state must be current",
    SIGABRT; temporalio/sdk-python issue 300): a drained part would exit -6 instead of 0. The
    logs and standard streams are flushed first; nothing else is left to run at exit (`qis run`
    has stopped its PostgreSQL and dev server itself, so pgserver's own exit hook has nothing
    left to stop).
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@app.command()
def worker() -> None:
    """运行 Temporal worker / Run a worker against TEMPORAL_ADDRESS and DATABASE_URL."""
    _serve_part("worker")


@app.command()
def api() -> None:
    """运行 HTTP 接口与控制台 / Serve the API against TEMPORAL_ADDRESS and DATABASE_URL."""
    _serve_part("api")


@app.command()
def sender() -> None:
    """发送通知 / Deliver the notification outbox (e-mail, webhooks) until SIGTERM or Ctrl-C."""
    from qis import cli_sender

    configure_logging()
    code = cli_sender.run(get_settings())
    if code:
        raise typer.Exit(code)


def main() -> None:
    """Entry point of the `qis` console script."""
    app()
