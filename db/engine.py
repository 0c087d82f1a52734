"""Engine and session factory: one per process, made where the process starts."""

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Connections an engine may open: half kept in the pool, half more under load.
CONNECTIONS = 10
# An API process's: a registration holds its connection while Temporal starts the process (so
# a Temporal that does not answer rolls the row back), and 16–20 requests in flight should not
# queue for one (docs/performance.md). A worker's and a sender's keep CONNECTIONS.
API_CONNECTIONS = 20


def make_engine(url: str, *, connections: int = CONNECTIONS) -> AsyncEngine:
    half = connections // 2
    return create_async_engine(
        url, pool_pre_ping=True, pool_size=half, max_overflow=connections - half
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
