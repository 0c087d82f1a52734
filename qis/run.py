"""The `qis run` and `qis migrate` commands: start what is not configured, migrate, serve."""

import asyncio
import logging
import signal
from contextlib import AsyncExitStack
from pathlib import Path

from sqlalchemy.engine import make_url

from db import migrate
from infra import temporal
from infra.settings import Settings
from qis.processes import worker_runtime
from stack.postgres import embedded_postgres
from stack.processes import ensure_port_free
from stack.serve import serve_worker_and_api
from stack.temporal import (
    TEMPORAL_HOST,
    TEMPORAL_READY_TIMEOUT,
    DevServer,
    connect_when_ready,
    embedded_temporal,
)

log = logging.getLogger(__name__)


def _banner(
    settings: Settings, temporal_address: str, database_url: str, data_dir: Path, metrics: bool
) -> str:
    api = f"http://{settings.qis_api_host}:{settings.qis_api_port}"
    lines = [
        "QIS 已启动 / QIS is running",
        f"  Temporal 前端 / frontend : {temporal_address}  (namespace {settings.temporal_namespace})",
    ]
    if settings.temporal_address is None:
        lines.append(
            f"  Temporal 界面 / UI       : http://{TEMPORAL_HOST}:{settings.qis_temporal_ui_port}"
        )
    lines += [
        f"  API                     : {api}",
        f"  API 文档 / docs          : {api}/docs",
    ]
    if metrics:
        address = settings.qis_worker_metrics_address.strip()
        lines.append(f"  worker 指标 / metrics    : http://{address}/metrics")
    lines += [
        f"  数据库 / database         : {shown_url(database_url)}",
        f"  数据目录 / data dir       : {data_dir}",
        "按 Ctrl-C 停止 / press Ctrl-C to stop",
    ]
    return "\n".join(lines)


def shown_url(database_url: str) -> str:
    """The URL as given, unless it carries a password."""
    url = make_url(database_url)
    return database_url if url.password is None else url.render_as_string(hide_password=True)


async def run_stack(settings: Settings) -> None:
    """Start whatever is not configured, migrate, then serve the worker and the API until cancelled."""
    data_dir = settings.qis_data_dir.resolve()
    ensure_port_free(settings.qis_api_host, settings.qis_api_port, "QIS_API_PORT")
    # The one client of the API and the worker is made on the runtime serving the worker's
    # metrics (docs/operations.md); a bad or taken address is refused before anything starts.
    runtime = worker_runtime(settings)
    async with AsyncExitStack() as stack:
        # Temporal first: its ports are the likeliest to be taken, so a clash shows at once.
        dev_server: DevServer | None = None
        if settings.temporal_address is not None:
            client = await connect_when_ready(
                settings.temporal_address,
                settings.temporal_namespace,
                give_up_after=TEMPORAL_READY_TIMEOUT,
                runtime=runtime,
            )
        else:
            dev_server = await stack.enter_async_context(
                embedded_temporal(
                    data_dir,
                    port=settings.qis_temporal_port,
                    ui_port=settings.qis_temporal_ui_port,
                    namespace=settings.temporal_namespace,
                    runtime=runtime,
                )
            )
            client = dev_server.client
        if settings.database_url is not None:
            database_url = settings.database_url
        else:
            database_url = await stack.enter_async_context(embedded_postgres(data_dir))
        log.info("applying migrations")
        await migrate.upgrade(database_url)
        # The dev server got them on its command line; an external Temporal gets them here.
        await temporal.register_search_attributes(client)
        address = client.service_client.config.target_host
        await serve_worker_and_api(
            client,
            database_url,
            settings,
            banner=_banner(settings, address, database_url, data_dir, runtime is not None),
            dev_server=dev_server,
        )


async def _until_signalled(settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    stopping = False

    def stop(sig: signal.Signals) -> None:
        nonlocal stopping
        if stopping:
            # A second cancel would cut the orderly stop short and strand the dev server.
            log.warning("正在停止，请稍候 / already stopping, please wait")
            return
        stopping = True
        log.info("收到 %s，正在停止 / received %s, stopping", sig.name, sig.name)
        main.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig)
    try:
        await run_stack(settings)
    except asyncio.CancelledError:
        if not stopping:
            raise
        main.uncancel()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("已停止 / stopped")


def run_until_stopped(settings: Settings) -> None:
    """Run the stack until SIGINT or SIGTERM, then stop API, worker, Temporal and PostgreSQL."""
    asyncio.run(_until_signalled(settings))


async def migrate_database(settings: Settings) -> str:
    """Apply the migrations to DATABASE_URL, or to the embedded PostgreSQL; returns the URL."""
    if settings.database_url is not None:
        await migrate.upgrade(settings.database_url)
        return settings.database_url
    async with embedded_postgres(settings.qis_data_dir.resolve()) as url:
        await migrate.upgrade(url)
        return url
