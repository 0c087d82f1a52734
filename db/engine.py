"""Engine and session factory: one per process, made where the process starts."""

from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

# Connections an engine may open: half kept in the pool, half more under load.
CONNECTIONS = 10
# An API process's: a registration holds its connection while Temporal starts the process (so
# a Temporal that does not answer rolls the row back), and 16–20 requests in flight should not
# queue for one (docs/performance.md). A worker's and a sender's keep CONNECTIONS.
API_CONNECTIONS = 20


def make_engine(url: str, *, connections: int = CONNECTIONS) -> AsyncEngine:
    half = connections // 2
    return pooled_engine(url, pool_size=half, max_overflow=connections - half)


def pooled_engine(url: str, *, pool_size: int, max_overflow: int) -> AsyncEngine:
    """An engine whose pool never hands out a connection the server has closed.

    A restarted PostgreSQL closes every connection; asyncpg sees the socket close while the
    connection sits in the pool, so checking its flag at checkout costs no round trip (the
    pool's pre-ping costs three with asyncpg: BEGIN, a ping, ROLLBACK). A connection that died
    without a word (a network cut) fails its first statement instead; SQLAlchemy then drops
    the whole pool, and the request answers 503 or the activity is retried.
    """
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow)
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """Pool checkout hook: a connection whose socket is closed is replaced by a new one."""
    driver = record.driver_connection
    if driver is not None and driver.is_closed():
        raise exc.DisconnectionError("PostgreSQL closed the connection")


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
