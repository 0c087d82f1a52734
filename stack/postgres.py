"""The embedded PostgreSQL (pgserver) under the data directory, and what a crashed run left."""

import asyncio
import json
import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from stack.processes import StackError, alive, runs

log = logging.getLogger(__name__)


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
        if not (pid.isdigit() and runs(int(pid), str(pgdata))):
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
    living = [p for p in held if alive(p)]
    if living != held:
        handles.write_text(json.dumps(living))
