"""When Temporal does not answer: 503 with Retry-After, within the deadline, nothing half-written."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from api.app import create_app
from db import tables
from tests.api.helpers import Api, make_tokens, project_body, stop_processes
from worker.main import STRICT_SANDBOX, build_worker

# Where a timeout is the point: the app must give up quickly.
SHORT_DEADLINE = timedelta(seconds=1)
# Where the call must succeed: generous, so a slow machine does not turn it into a 503.
GENEROUS_DEADLINE = timedelta(seconds=30)


class Proxy:
    """A loopback TCP proxy to the test server that can be cut, as a network outage would."""

    def __init__(self, target: str) -> None:
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.streams: list[asyncio.StreamWriter] = []

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.streams += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        self.server.close()
        for stream in self.streams:
            stream.close()
        await self.server.wait_closed()


@asynccontextmanager
async def api_without_worker(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    task_queue: str = "nobody-polls",
    *,
    deadline: timedelta = SHORT_DEADLINE,
    tokens: dict[str, str] | None = None,
) -> AsyncIterator[Api]:
    """The app against `client`, on a task queue no worker polls (yet)."""
    app = create_app(
        client=client, database_url=database_url, task_queue=task_queue, temporal_timeout=deadline
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://qis.test"
        ) as http,
    ):
        yield Api(
            http=http,
            client=client,
            sessions=sessions,
            tokens=tokens if tokens is not None else await make_tokens(sessions),
        )


async def project_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(tables.Project)) or 0


async def test_unreachable_temporal_gives_503_and_writes_nothing(
    client: Client, session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    proxy = Proxy(client.service_client.config.target_host)
    through_proxy = await Client.connect(
        await proxy.start(), data_converter=pydantic_data_converter
    )
    await proxy.cut()
    async with api_without_worker(through_proxy, session_factory, database_url) as api:
        response = await api.post("/v1/projects", project_body())
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"].isdigit()
        assert "稍后重试" in response.json()["detail"]
        assert await project_count(session_factory) == 0

        health = await api.http.get("/healthz")
        assert health.status_code == 503
        assert health.json() == {
            "status": "unavailable",
            "database": "ok",
            "temporal": "unavailable",
        }


async def test_no_worker_gives_503_not_a_hang_and_a_retry_applies_once(
    client: Client, session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    queue = f"late-{uuid.uuid4().hex[:8]}"
    tokens = await make_tokens(session_factory)
    # Two apps on one database and one set of tokens (an Idempotency-Key belongs to its token):
    # `hasty` gives up after a second where giving up is the point; `patient` makes the calls
    # that must succeed.
    async with (
        api_without_worker(client, session_factory, database_url, queue, tokens=tokens) as hasty,
        api_without_worker(
            client, session_factory, database_url, queue, deadline=GENEROUS_DEADLINE, tokens=tokens
        ) as patient,
    ):
        created = await patient.post("/v1/projects", project_body())
        assert created.status_code == 201, created.text  # starting needs no worker
        pid = created.json()["id"]
        read = await hasty.get(f"/v1/projects/{pid}")
        assert read.status_code == 503
        assert read.headers["Retry-After"].isdigit()
        assert "稍后重试" in read.json()["detail"]
        key = {"Idempotency-Key": "request-1"}
        decided = await hasty.act(pid, "request-acceptance", None, "unit", key)
        assert decided.status_code == 503
        assert "带同一 Idempotency-Key 重试可保证只执行一次" in decided.json()["detail"]
        # The inbox reads the database's read model: it answers without Temporal's worker.
        inbox = await hasty.get("/v1/tasks", "district")
        assert inbox.status_code == 200
        assert inbox.json() == []

        # The worker comes back: the retry with the same key is applied once.
        async with build_worker(
            client, session_factory, task_queue=queue, workflow_runner=STRICT_SANDBOX
        ):
            retried = await patient.act(pid, "request-acceptance", None, "unit", key)
            assert retried.status_code == 200, retried.text
            events = [e["event"] for e in retried.json()["history"]]
            assert events == ["register", "request-acceptance"]
            again = await patient.act(pid, "request-acceptance", None, "unit", key)
            assert again.status_code == 200, again.text
            assert again.json()["history"] == retried.json()["history"]
            # The time-skipping server holds its clock while a workflow task is outstanding,
            # so the process is stopped while its worker still runs.
            await stop_processes(client, session_factory)


async def test_health_when_all_answer(api: Api) -> None:
    response = await api.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "temporal": "ok"}
