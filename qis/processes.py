"""`qis worker` and `qis api`: one part of the system per process, for a deployment.

Each connects to an existing Temporal (`TEMPORAL_ADDRESS`) and PostgreSQL (`DATABASE_URL`), so
any number of them can run side by side; `qis run` is the all-in-one alternative. SIGTERM or
SIGINT drains: the worker lets activities in flight finish (up to `DRAIN`), the API finishes the
requests it holds; then the process exits 0. A worker serves Prometheus metrics at
`QIS_WORKER_METRICS_ADDRESS` (docs/operations.md).
"""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from datetime import timedelta

import uvicorn
from temporalio.runtime import Runtime

from api.app import create_app
from db.engine import make_engine, make_session_factory
from infra.settings import Settings
from stack.processes import StackError
from stack.temporal import TEMPORAL_READY_TIMEOUT, connect_when_ready
from worker.main import build_worker
from worker.metrics import MetricsAddressError, metrics_runtime
from worker.schedules import ensure_report_schedule
from workflows import TASK_QUEUE

log = logging.getLogger("qis")
DRAIN = timedelta(seconds=30)


def _required(settings: Settings) -> tuple[str, str]:
    """The Temporal address and database URL a separate process needs."""
    address, database_url = settings.temporal_address, settings.database_url
    if address and database_url:
        return address, database_url
    missing = [
        n for n, v in (("TEMPORAL_ADDRESS", address), ("DATABASE_URL", database_url)) if not v
    ]
    raise StackError(
        f"单独运行的进程需要设置 {'、'.join(missing)}（已有的 Temporal 与 PostgreSQL）；"
        "在一台机器上试用请用 qis run"
    )


@contextlib.contextmanager
def _drain_on_signal(stop: asyncio.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop` from the moment the process starts (a signal that came
    while it was still connecting would otherwise kill it outright)."""
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        if not stop.is_set():
            log.info("收到 %s，处理完手上的工作后停止 / received %s, draining", sig.name, sig.name)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _until(stop: asyncio.Event, work: "asyncio.Task[None]") -> bool:
    """Wait for `stop` or for `work` to end; True when stopped by a signal."""
    waiting = asyncio.create_task(stop.wait(), name="signals")
    done, _ = await asyncio.wait({work, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if waiting not in done:
        waiting.cancel()
        return False
    return True


def worker_runtime(settings: Settings) -> Runtime | None:
    """The runtime serving the worker's metrics, or None when they are turned off; the worker's
    client must be made on it (`qis worker` here, `qis run` in qis/run.py)."""
    address = settings.qis_worker_metrics_address.strip()
    if not address:
        return None
    try:
        runtime = metrics_runtime(address)
    except MetricsAddressError as err:
        raise StackError(str(err)) from err
    log.info("worker 指标 / metrics at http://%s/metrics", address)
    return runtime


async def serve_worker(settings: Settings) -> None:
    """Poll the lifecycle task queue until signalled, then drain."""
    address, database_url = _required(settings)
    runtime = worker_runtime(settings)
    stop = asyncio.Event()
    with _drain_on_signal(stop):
        client = await connect_when_ready(
            address,
            settings.temporal_namespace,
            give_up_after=TEMPORAL_READY_TIMEOUT,
            runtime=runtime,
        )
        if stop.is_set():
            return
        await ensure_report_schedule(client, settings.policy(), TASK_QUEUE)
        engine = make_engine(database_url)
        try:
            worker = build_worker(client, make_session_factory(engine), graceful_shutdown=DRAIN)
            running = asyncio.create_task(worker.run(), name="worker")
            log.info("worker 已启动 / worker polling %s on %s", worker.task_queue, address)
            if not await _until(stop, running):
                running.result()
                raise StackError("worker 意外停止 / worker stopped unexpectedly")
            await worker.shutdown()
            await running
        finally:
            await engine.dispose()


class _Server(uvicorn.Server):
    """Uvicorn with our signal handling: a drained API exits 0 instead of re-raising SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_api(settings: Settings) -> None:
    """Serve the HTTP API and console until signalled, then finish the requests in hand."""
    address, database_url = _required(settings)
    stop = asyncio.Event()
    with _drain_on_signal(stop):
        client = await connect_when_ready(
            address, settings.temporal_namespace, give_up_after=TEMPORAL_READY_TIMEOUT
        )
        if stop.is_set():
            return
        server = _Server(
            uvicorn.Config(
                create_app(client=client, database_url=database_url),
                host=settings.qis_api_host,
                port=settings.qis_api_port,
                log_config=None,
                timeout_graceful_shutdown=int(DRAIN.total_seconds()),
            )
        )
        serving = asyncio.create_task(server.serve(), name="API")
        if not await _until(stop, serving):
            with contextlib.suppress(SystemExit):
                serving.result()
            raise StackError(
                f"API 无法启动或意外停止 / API stopped "
                f"({settings.qis_api_host}:{settings.qis_api_port})"
            )
        server.should_exit = True
        await serving
