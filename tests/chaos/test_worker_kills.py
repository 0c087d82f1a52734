"""Chaos: workers killed with SIGKILL again and again while projects are decided through the API.

Two `qis worker` processes serve a dedicated Temporal dev server; a killer SIGKILLs one of them
every fraction of a second and starts a new one. Clients retry a 503 with the same
Idempotency-Key, as the API asks. At the end, every count must match what was sent: no decision
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
from tests.api.helpers import ALL_CONDITIONS, GOOD_SCORES, make_tokens, project_body
from tests.chaos.conftest import Workers
from tests.helpers import eventually
from workflows import workflow_id

SCRIPTS = Path(sysconfig.get_path("scripts"))
PROJECTS = int(os.environ.get("QIS_CHAOS_PROJECTS", "8"))
KILLS = int(os.environ.get("QIS_CHAOS_KILLS", "6"))
STEPS: list[tuple[str, dict[str, Any] | None, str]] = [
    ("request-acceptance", None, "unit"),
    ("decide-acceptance", {"passed": True}, "district"),
    ("apply-municipal", {"conditions": ALL_CONDITIONS}, "unit"),
    ("recommend-municipal", {"recommend": True}, "district"),
    ("evaluate-municipal", {"passed": True, "scores": GOOD_SCORES}, "municipal"),
]


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
    stop_killing = asyncio.Event()

    async def killer() -> None:
        while workers.kills < KILLS and not stop_killing.is_set():
            await asyncio.sleep(rng.uniform(0.3, 1.2))  # chaos timing, not a test wait
            await workers.kill_one(rng)

    async def one_project(http: httpx.AsyncClient, n: int) -> str:
        body = project_body(focus=f"混沌{n}")
        key = {"Authorization": f"Bearer {tokens['operator']}", "Idempotency-Key": f"reg-{n}"}
        for _ in range(200):
            created = await http.post("/v1/projects", json=body, headers=key)
            if created.status_code in (200, 201):
                break
            assert created.status_code == 503, created.text
            await asyncio.sleep(0.2)
        pid: str = created.json()["id"]
        for action, payload, who in STEPS:
            await decide(http, pid, action, payload, tokens[who])
        return pid

    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://qis.test", timeout=60
            ) as http,
        ):
            chaos = asyncio.create_task(killer())
            ids = await asyncio.gather(*(one_project(http, n) for n in range(PROJECTS)))
            stop_killing.set()
            await chaos
    finally:
        stop_killing.set()

    try:

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
        assert workers.kills == KILLS
    finally:
        await workers.stop()
