"""`qis sender`: deliver the notification outbox until SIGTERM or SIGINT, then exit 0."""

import asyncio
import logging
import signal

from sqlalchemy.exc import DBAPIError, ProgrammingError

from infra.settings import Settings
from sender.config import SenderConfig, SmtpUrlError
from sender.loop import serve

log = logging.getLogger("qis.sender")


async def _until_signalled(database_url: str, config: SenderConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        if not stop.is_set():
            log.info("收到 %s，发完手上的投递后停止 / received %s, stopping", sig.name, sig.name)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        await serve(database_url, config, stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _run(settings: Settings, config: SenderConfig) -> None:
    if settings.database_url:
        await _until_signalled(settings.database_url, config)
        return
    from stack.postgres import embedded_postgres  # the run command's PostgreSQL

    async with embedded_postgres(settings.qis_data_dir.resolve()) as url:
        await _until_signalled(url, config)


def run(settings: Settings) -> int:
    """Run the sender; the exit code (0 after a signal, 2 for a bad setting, 1 otherwise)."""
    try:
        config = SenderConfig.from_settings(settings)
    except SmtpUrlError as err:
        log.error("%s", err)
        return 2
    try:
        asyncio.run(_run(settings, config))
    except ProgrammingError as err:
        log.error("数据库尚未迁移（%s），请先运行 qis migrate / run the migrations first", err.orig)
        return 1
    except (DBAPIError, OSError) as err:
        log.error("无法连接数据库 / cannot reach the database: %s", err)
        return 1
    log.info("已停止 / stopped")
    return 0
