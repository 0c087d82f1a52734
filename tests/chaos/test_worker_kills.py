"""Chaos: workers killed with SIGKILL again and again while projects are decided through the API.

Two `qis worker` processes serve a dedicated Temporal dev server. The projects go through their
steps in rounds (registration, then each decision for every project at once); in every round a
killer SIGKILLs a worker while requests of that round are in flight, and starts a new one.
Clients retry a 503 with the same Idempotency-Key, as the API asks. At the end, every count must match what was sent: no decision
lost or doubled, no name missing, no outbox row twice, every read-model row current, and no
process failed. QIS_CHAOS_PROJECTS and QIS_CHAOS_KILLS make the long version (docs/testing.md).
"""

import asyncio
import os
import random
import sysconfig
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from db import tables
from tests.api.helpers import make_tokens, project_body
from tests.chaos.conftest import STEPS, Workers
from tests.helpers import eventually
from workflows import workflow_id

SCRIPTS = Path(sysconfig.get_path("scripts"))
PROJECTS = int(os.environ.get("QIS_CHAOS_PROJECTS", "8"))
KILLS = int(os.environ.get("QIS_CHAOS_KILLS", "6"))


async def decide(
    http: httpx.AsyncClient, pid: str, action: str, body: dict[str, Any] | None, token: str
) -> None:
    """POST the decision until it is answered 200, retrying 503 with the same key."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"{pid}-{action}"}
    for _ in range(200):
        response = await http.post(
            f"/v1/projects/{pid}/actions/{action}", json=body, headers=headers
        )
        if response.status_code == 200:
            return
        assert response.status_code == 503, response.text
        await asyncio.sleep(0.2)  # a client's back-off between retries, not a test wait
    raise AssertionError(f"{action} on {pid} never answered 200")


async def test_workers_killed_mid_flight_lose_and_double_nothing(
    chaos_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    client = chaos_env.client
    workers = Workers(client.service_client.config.target_host, database_url)
    for _ in range(2):
        await workers.start()
    tokens = await make_tokens(session_factory)  # one per kind of caller
    app = create_app(
        client=client, database_url=database_url, temporal_timeout=timedelta(seconds=5)
    )
    rng = random.Random(20261130)
    rounds = 1 + len(STEPS)  # the registrations, then each decision for every project
    in_flight = 0
    sent = asyncio.Event()
    kills_by_round: list[int] = []

    async def killer(quota: int) -> None:
        """Kill up to `quota` workers, each while a request of this round is unanswered."""
        done = 0
        await sent.wait()
        while done < quota and in_flight > 0:  # checked right before the signal: mid-flight
            await workers.kill_one(rng)
            done += 1
            await asyncio.sleep(rng.uniform(0.1, 0.6))  # chaos timing, not a test wait
        kills_by_round.append(done)

    async def request(http: httpx.AsyncClient, post: Any) -> httpx.Response:
        nonlocal in_flight
        in_flight += 1
        sent.set()
        try:
            response: httpx.Response = await post()
            return response
        finally:
            in_flight -= 1

    async def register(http: httpx.AsyncClient, n: int) -> str:
        body = project_body(focus=f"混沌{n}")
        key = {"Authorization": f"Bearer {tokens['operator']}", "Idempotency-Key": f"reg-{n}"}
        for _ in range(200):
            created = await request(http, lambda: http.post("/v1/projects", json=body, headers=key))
            if created.status_code in (200, 201):
                pid: str = created.json()["id"]
                return pid
            assert created.status_code == 503, created.text
            await asyncio.sleep(0.2)  # a client's back-off between retries, not a test wait
        raise AssertionError(f"registration {n} never answered 201")

    async def step(
        http: httpx.AsyncClient, pid: str, action: str, body: dict[str, Any] | None, who: str
    ) -> None:
        await request(http, lambda: decide(http, pid, action, body, tokens[who]))

    async def chaos_round(n: int, *work: Any) -> list[Any]:
        sent.clear()
        quota = KILLS // rounds + (1 if n < KILLS % rounds else 0)
        results = await asyncio.gather(killer(max(quota, 1)), *work)
        return list(results[1:])

    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://qis.test", timeout=60
            ) as http,
        ):
            ids: list[str] = await chaos_round(0, *(register(http, n) for n in range(PROJECTS)))
            for n, (action, payload, who) in enumerate(STEPS, start=1):
                await chaos_round(n, *(step(http, pid, action, payload, who) for pid in ids))

        async def counts() -> dict[str, int]:
            async with session_factory() as s:

                def n(table: type[tables.Base]) -> Any:
                    return select(func.count()).select_from(table)

                return {
                    "decisions": int(await s.scalar(n(tables.Decision)) or 0),
                    "names": int(await s.scalar(n(tables.Name)) or 0),
                    "endings": int(await s.scalar(n(tables.NameEnding)) or 0),
                    "named": int(
                        await s.scalar(
                            n(tables.Project).where(tables.Project.stage == "municipal_named")
                        )
                        or 0
                    ),
                }

        expected = {
            "decisions": PROJECTS * len(STEPS),
            "names": PROJECTS * 2,
            "endings": 0,
            "named": PROJECTS,
        }
        assert await eventually(counts, lambda c: c == expected, within=60) == expected
        async with session_factory() as s:
            outbox = list(
                await s.execute(select(tables.Notification.key, tables.Notification.recipient))
            )
            actions = list(await s.scalars(select(tables.Decision.action)))
        assert len(outbox) == len(set(outbox))  # no message twice to one recipient
        # Every step told someone: the request, the acceptance, the application, the
        # recommendation and the naming each left an outbox row for each project.
        for pid in ids:
            assert sum(1 for key, _ in outbox if key.startswith(f"{pid}/")) >= len(STEPS)
        assert sorted(actions) == sorted(a for a, _, _ in STEPS for _ in range(PROJECTS))
        for pid in ids:
            description = await client.get_workflow_handle(workflow_id(pid)).describe()
            assert description.status == WorkflowExecutionStatus.RUNNING, pid
        # Every round lost a worker while its requests were unanswered.
        assert len(kills_by_round) == rounds
        assert min(kills_by_round) >= 1, kills_by_round
        assert workers.kills == sum(kills_by_round)
    finally:
        await workers.stop()
