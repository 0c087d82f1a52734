"""The engine's pool after PostgreSQL restarts: closed connections are replaced at checkout.

The pool does not ping each connection it hands out (three round trips with asyncpg); it checks
the flag asyncpg sets when the server closes the socket (db/engine.py). A real restart of a
PostgreSQL of this test's own shows that no statement meets a dead connection afterwards.
"""

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event, text

from db.engine import make_engine
from tests.postgres import Postgres


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    yield server
    server.close()


async def test_after_a_restart_every_pooled_connection_is_replaced_without_a_failed_statement(
    postgres: Postgres,
) -> None:
    engine = make_engine(postgres.url("postgres"), connections=6)
    statements: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *rest: statements.append(statement),
    )

    async def backend() -> int:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())

    try:
        # Three connections at once, so three sit in the pool.
        before = set(await asyncio.gather(backend(), backend(), backend()))
        assert len(before) == 3
        assert statements == ["SELECT pg_backend_pid()"] * 3  # no ping on the way out
        await postgres.stop()
        await postgres.start()
        after = set(await asyncio.gather(backend(), backend(), backend()))
        assert len(after) == 3
        assert not after & before  # each one a new connection to the restarted server
    finally:
        await engine.dispose()
