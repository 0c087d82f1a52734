"""Processes and ports of the embedded stack: liveness by pid, signals, waiting, free ports."""

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


POLL_INTERVAL = 0.2


class StackError(RuntimeError):
    """A service of the stack cannot start; the message says what to look at."""


async def eventually(condition: Callable[[], bool], *, within: float) -> bool:
    """Poll `condition` until it holds or `within` seconds pass; whether it held."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(POLL_INTERVAL)
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runs(pid: int, argument: str) -> bool:
    """Whether `pid` is alive with `argument` among its arguments (unchecked without /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return alive(pid)
    try:
        cmdline = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False
    return argument in cmdline.decode(errors="replace").split("\0")


def send_signal(pid: int, sig: signal.Signals) -> None:
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


async def terminate(process: asyncio.subprocess.Process, *, grace: float) -> None:
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
