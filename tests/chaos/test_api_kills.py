"""Chaos: an API process killed mid-request; the client retries with the same Idempotency-Key on
the other one, and every decision is applied exactly once."""

import asyncio
import os
import signal
import sysconfig
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db import tables
from tests.api.helpers import ALL_CONDITIONS, make_tokens, project_body
from tests.chaos.conftest import Workers
from tests.helpers import eventually
from tests.sender.servers import free_port

SCRIPTS = Path(sysconfig.get_path("scripts"))
PROJECTS = int(os.environ.get("QIS_CHAOS_PROJECTS", "8"))
STEPS: list[tuple[str, dict[str, Any] | None, str]] = [
    ("request-acceptance", None, "unit"),
    ("decide-acceptance", {"passed": True}, "district"),
    ("apply-municipal", {"conditions": ALL_CONDITIONS}, "unit"),
]


async def start_api(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        str(SCRIPTS / "qis"),
        "api",
        env={**env, "QIS_API_PORT": str(port)},
        stdin=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    async def healthy() -> bool:
        async with httpx.AsyncClient() as http:
            try:
                return (await http.get(f"{base}/healthz", timeout=2)).status_code == 200
            except httpx.HTTPError:
                return False

    await eventually(healthy, bool, within=60, interval=0.2)
    return process, base


async def test_an_api_killed_mid_request_applies_each_decision_once(
    chaos_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    address = chaos_env.client.service_client.config.target_host
    workers = Workers(address, database_url)
    await workers.start()
    env = {**workers.env}
    first, first_base = await start_api(env)
    second, second_base = await start_api(env)
    tokens = await make_tokens(session_factory)  # one per kind of caller
    killed = False

    async def send(pid: str, action: str, body: dict[str, Any] | None, who: str) -> None:
        nonlocal killed
        headers = {"Authorization": f"Bearer {tokens[who]}", "Idempotency-Key": action}
        path = f"/v1/projects/{pid}/actions/{action}"
        async with httpx.AsyncClient(timeout=60) as http:
            request = asyncio.create_task(http.post(first_base + path, json=body, headers=headers))
            if not killed:
                # The first API dies while this request is in its hands.
                await asyncio.sleep(0.005)  # let the request reach it; chaos timing
                first.send_signal(signal.SIGKILL)
                await first.wait()
                killed = True
            try:
                response = await request
                answered = response.status_code
            except httpx.HTTPError:
                answered = None  # the connection died with the process
            if answered != 200:
                retry = await http.post(second_base + path, json=body, headers=headers)
                assert retry.status_code == 200, retry.text

    try:
        ids = []
        async with httpx.AsyncClient(timeout=60) as http:
            for n in range(PROJECTS):
                created = await http.post(
                    f"{second_base}/v1/projects",
                    json=project_body(focus=f"接口{n}"),
                    headers={"Authorization": f"Bearer {tokens['operator']}"},
                )
                assert created.status_code == 201, created.text
                ids.append(created.json()["id"])
        for pid in ids:
            for action, body, who in STEPS:
                await send(pid, action, body, who)
        assert killed
        async with session_factory() as s:
            decisions = await s.scalar(select(func.count()).select_from(tables.Decision))
            stages = set(await s.scalars(select(tables.Project.stage)))
        assert decisions == PROJECTS * len(STEPS)
        assert stages == {"municipal_recommendation"}
    finally:
        for process in (first, second):
            if process.returncode is None:
                process.kill()
            await process.wait()
        await workers.stop()
