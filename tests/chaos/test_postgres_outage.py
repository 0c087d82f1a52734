"""Chaos: PostgreSQL stopped under load while projects take decisions through the API and two
workers run.

The projects go from registration to municipal naming in rounds, as in test_worker_kills.py, on
a PostgreSQL of this test's own (stopping the session's server would break every other test).
In a round with an outage the workers are frozen, the first half of the round's requests is sent,
and PostgreSQL stops once one of them has reached Temporal: that request cannot be answered
without a worker, so the outage begins mid-flight by construction. The workers then thaw, and
its step fails against the outage and is retried; the second half is sent into the outage, so
those requests meet it at once. PostgreSQL comes back once it has been down QIS_CHAOS_PG_DOWN
seconds and a step has been seen failing. Clients retry a 503 with the same Idempotency-Key.
At the end every count must match what was sent: no decision, name, outbox row or read-model
row lost or doubled, and no process failed. docs/testing.md gives the long form.
"""

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from db import tables
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from tests.api.helpers import make_tokens, project_body
from tests.chaos.conftest import STEPS, Workers
from tests.helpers import eventually, latest_history, settle
from tests.postgres import Postgres, on_server
from workflows import workflow_id
from workflows.lifecycle import ProjectLifecycle

PROJECTS = int(os.environ.get("QIS_CHAOS_PROJECTS", "8"))
DOWN = float(os.environ.get("QIS_CHAOS_PG_DOWN", "3"))  # seconds, at least, per outage
ROUNDS = 1 + len(STEPS)  # the registrations, then each decision for every project
OUTAGES = min(int(os.environ.get("QIS_CHAOS_PG_OUTAGES", str(ROUNDS))), ROUNDS)
DATABASE = "qis_chaos"
# A client gives up on a request that is still answered 503 this long after it was first sent.
PATIENCE = DOWN + 180


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    yield server
    server.close()


@pytest.fixture
async def own_database(postgres: Postgres) -> str:
    await on_server(postgres.socket_dir, f'CREATE DATABASE "{DATABASE}"')
    url = postgres.url(DATABASE)
    await upgrade(url)
    return url


async def waiting_for_a_worker(client: Client, pid: str) -> bool:
    """Whether the project's process has a workflow task waiting (frozen workers: in flight)."""
    description = await client.get_workflow_handle(workflow_id(pid)).describe()
    return description.raw_description.HasField("pending_workflow_task")


async def retrying_a_step(client: Client, pid: str) -> bool:
    """Whether one of the project's activities has failed and is being retried."""
    description = await client.get_workflow_handle(workflow_id(pid)).describe()
    return any(a.attempt >= 2 for a in description.raw_description.pending_activities)


async def any_of(
    ids: list[str], probe: Callable[[Client, str], Awaitable[bool]], c: Client
) -> bool:
    return any([await probe(c, pid) for pid in ids])


async def test_postgres_stopped_under_load_loses_and_doubles_nothing(
    chaos_env: WorkflowEnvironment, postgres: Postgres, own_database: str
) -> None:
    client = chaos_env.client
    engine = make_engine(own_database)
    sessions: async_sessionmaker[AsyncSession] = make_session_factory(engine)
    workers = Workers(client.service_client.config.target_host, own_database)
    for _ in range(2):
        await workers.start()
    tokens = await make_tokens(sessions)  # one per kind of caller
    app = create_app(
        client=client, database_url=own_database, temporal_timeout=timedelta(seconds=10)
    )
    loop = asyncio.get_running_loop()
    rng = random.Random(20261130)
    outage_rounds = set(rng.sample(range(ROUNDS), OUTAGES))
    figures: Counter[str] = Counter()

    async def post(
        http: httpx.AsyncClient, path: str, body: Any, who: str, key: str
    ) -> httpx.Response:
        """POST until answered other than 503, retrying with the same Idempotency-Key."""
        headers = {"Authorization": f"Bearer {tokens[who]}", "Idempotency-Key": key}
        give_up = loop.time() + PATIENCE
        while True:
            response = await http.post(path, json=body, headers=headers)
            if response.status_code != 503:
                return response
            figures["503 answers"] += 1
            assert loop.time() < give_up, f"{path} still 503 after {PATIENCE}s: {response.text}"
            await asyncio.sleep(0.2)  # a client's back-off between retries, not a test wait

    async def register(http: httpx.AsyncClient, n: int) -> str:
        body = project_body(focus=f"停库{n}")
        created = await post(http, "/v1/projects", body, "operator", f"reg-{n}")
        assert created.status_code in (200, 201), created.text
        pid: str = created.json()["id"]
        return pid

    async def decide(
        http: httpx.AsyncClient, pid: str, action: str, body: dict[str, Any] | None, who: str
    ) -> str:
        path = f"/v1/projects/{pid}/actions/{action}"
        answered = await post(http, path, body, who, f"{pid}-{action}")
        assert answered.status_code == 200, answered.text
        return pid

    async def with_outage(
        first: list[Coroutine[Any, Any, str]],
        second: list[Coroutine[Any, Any, str]],
        known: list[str],
    ) -> list[str]:
        """The round's requests, with PostgreSQL stopped in the middle of them (module doc).

        `known` are the projects of the first half (none yet for registrations, whose ids
        come with their answers).
        """
        workers.pause()
        try:
            sent = [asyncio.create_task(f) for f in first]

            async def reached() -> list[str]:
                ids = known or [t.result() for t in sent if t.done()]
                return [pid for pid in ids if await waiting_for_a_worker(client, pid)]

            reached_temporal = await eventually(reached, bool, within=30)
            await postgres.stop()
            started = time.monotonic()
        finally:
            workers.resume()
        figures["outages"] += 1
        into_the_outage = [asyncio.create_task(s) for s in second]
        # A step of a request that reached Temporal before the stop runs now, and fails.
        await eventually(lambda: any_of(reached_temporal, retrying_a_step, client), bool, within=60)
        # The outage's length is the chaos's parameter, not a wait for a condition.
        await asyncio.sleep(max(0.0, DOWN - (time.monotonic() - started)))
        await postgres.start()
        figures["seconds down"] += round(time.monotonic() - started)
        return list(await asyncio.gather(*sent, *into_the_outage))

    async def chaos_round(
        n: int, requests: list[Callable[[], Coroutine[Any, Any, str]]], known: list[str]
    ) -> list[str]:
        if n in outage_rounds:
            half = len(requests) // 2 or 1
            ids = await with_outage(
                [r() for r in requests[:half]], [r() for r in requests[half:]], known[:half]
            )
        else:
            ids = list(await asyncio.gather(*(r() for r in requests)))
        # Every process idle again: a workflow task waiting next round is that round's.
        for pid in ids:
            await settle(client, workflow_id(pid), within=PATIENCE)
        return ids

    def registering(http: httpx.AsyncClient, n: int) -> Callable[[], Coroutine[Any, Any, str]]:
        return lambda: register(http, n)

    def deciding(
        http: httpx.AsyncClient, pid: str, step: tuple[str, dict[str, Any] | None, str]
    ) -> Callable[[], Coroutine[Any, Any, str]]:
        return lambda: decide(http, pid, *step)

    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://qis.test", timeout=60
            ) as http,
        ):
            ids = await chaos_round(0, [registering(http, n) for n in range(PROJECTS)], [])
            for n, step in enumerate(STEPS, start=1):
                await chaos_round(n, [deciding(http, pid, step) for pid in ids], ids)

        async with sessions() as s:
            decisions = list(
                await s.execute(select(tables.Decision.project_id, tables.Decision.action))
            )
            names = int(await s.scalar(select(func.count()).select_from(tables.Name)) or 0)
            endings = int(await s.scalar(select(func.count()).select_from(tables.NameEnding)) or 0)
            rows = {r.id: (r.stage, r.state_seq) for r in await s.scalars(select(tables.Project))}
            outbox = list(
                await s.execute(select(tables.Notification.key, tables.Notification.recipient))
            )
        assert sorted(decisions) == sorted((pid, a) for pid in ids for a, _, _ in STEPS)
        assert names == PROJECTS * 2  # the district name and the municipal name
        assert endings == 0
        # The read model: one row per project, at the process's own stage and step.
        current = {}
        for pid in ids:
            handle = client.get_workflow_handle_for(ProjectLifecycle.run, workflow_id(pid))
            state = await handle.query(ProjectLifecycle.state)
            current[pid] = (state.stage.value, state.seq)
        assert rows == current
        assert set(rows.values()) == {("municipal_named", current[ids[0]][1])}
        # The outbox: every project told the same people the same things, each once.
        assert len(outbox) == len(set(outbox))
        told = {
            pid: sorted(
                (key.removeprefix(f"{pid}/"), to) for key, to in outbox if key.startswith(f"{pid}/")
            )
            for pid in ids
        }
        assert len(told[ids[0]]) >= len(STEPS)
        assert all(t == told[ids[0]] for t in told.values()), told
        assert sum(len(t) for t in told.values()) == len(outbox)
        # No process failed, and no workflow task did.
        for pid in ids:
            description = await client.get_workflow_handle(workflow_id(pid)).describe()
            assert description.status == WorkflowExecutionStatus.RUNNING, pid
            history = await latest_history(client, workflow_id(pid))
            events = [e.event_type for e in history.events]
            assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in events, pid
            figures["activity attempts beyond the first"] += sum(
                e.activity_task_started_event_attributes.attempt - 1
                for e in history.events
                if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
            )
        assert figures["outages"] == OUTAGES
        assert figures["503 answers"] >= OUTAGES  # each outage met requests sent into it
        print(f"PostgreSQL outages: {PROJECTS} projects, {dict(figures)}")
    finally:
        workers.resume()
        await workers.stop()
        await engine.dispose()
