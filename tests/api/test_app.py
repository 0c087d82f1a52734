"""The app as the run command builds it (from the environment), and the tokens migration."""

from collections.abc import Iterator

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from api.app import create_app
from db.tables import Base
from infra.settings import get_settings


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, client: Client, database_url: str
) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TEMPORAL_ADDRESS", client.service_client.config.target_host)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("environment")
async def test_create_app_from_the_environment() -> None:
    app = create_app()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qis") as http,
    ):
        response = await http.get("/healthz")
        assert response.status_code == 200, response.text
        assert (await http.get("/v1/directory")).json() == []


async def test_migrations_match_the_tables(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
