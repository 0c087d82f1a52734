"""The API under test: the real app over ASGI, the real (time-skipping) Temporal with a worker on
a fresh task queue, and a fresh migrated PostgreSQL database; one token per kind of caller."""

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.app import create_app
from tests.api.helpers import Api, make_tokens, stop_processes
from tests.helpers import running_worker


@pytest.fixture
async def api(
    client: Client, session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> AsyncIterator[Api]:
    async with running_worker(client, session_factory) as harness:
        app = create_app(
            client=client,
            database_url=database_url,
            task_queue=harness.task_queue,
            temporal_timeout=timedelta(seconds=10),
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://qis.test"
            ) as http,
        ):
            tokens = await make_tokens(session_factory)
            yield Api(
                http=http,
                client=client,
                sessions=session_factory,
                tokens=tokens,
                database_url=database_url,
                task_queue=harness.task_queue,
            )
        await stop_processes(client, session_factory)
