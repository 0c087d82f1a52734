"""A PostgreSQL server of a test's own, on a temporary data directory, that the test can stop and
start again (the session's server is shared by every test and never stops); statements on a
server's `postgres` database (making and dropping databases)."""

import asyncio
import shutil
import tempfile
from pathlib import Path

import asyncpg
import pgserver
from pgserver import _commands


async def on_server(socket_dir: str, *statements: str) -> None:
    """Run `statements` in turn on the server's `postgres` database, over one connection."""
    conn = await asyncpg.connect(host=socket_dir, user="postgres", database="postgres")
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


class Postgres:
    """A PostgreSQL server of its own, on a temporary data directory, that can be stopped."""

    def __init__(self) -> None:
        self.datadir = Path(tempfile.mkdtemp(prefix="qis-outage-"))
        self.server = pgserver.get_server(self.datadir, cleanup_mode="stop")
        socket_dir = self.server.get_postmaster_info().socket_dir
        assert socket_dir is not None
        self.socket_dir = str(socket_dir)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"

    def _pg_ctl(self, *args: str) -> None:
        pg_ctl = getattr(_commands, "pg_ctl")  # noqa: B009 - made at import, one per binary
        pg_ctl(list(args), pgdata=self.datadir, user=self.server.system_user)

    async def stop(self) -> None:
        """Stop the server, cutting its connections (`-m fast`), and wait until it is down."""
        await asyncio.to_thread(self._pg_ctl, "-w", "-m", "fast", "stop")

    async def start(self) -> None:
        """Start it again on the same data and socket directory, and wait until it is ready."""
        await asyncio.to_thread(self.server.ensure_postgres_running)

    def close(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.datadir, ignore_errors=True)
