"""Each workflow test runs its own worker on a fresh task queue."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from tests.helpers import Harness, running_worker
from tests.workflows.histories import record_history


@pytest.fixture
async def h(
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> AsyncIterator[Harness]:
    async with running_worker(client, session_factory) as harness:
        yield harness
        if getattr(harness, "project_id", None):
            first_run = harness.handle.first_execution_run_id
            assert first_run is not None
            await harness.settle()
            await record_history(client, harness.handle.id, first_run, request.node.name)
