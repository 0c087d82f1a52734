"""`qis worker` and `qis api` as separate processes: several of each against one Temporal and one
database work side by side, and each drains and exits 0 on SIGTERM."""

import asyncio
import functools
import os
import signal
import sysconfig
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.examples import PROJECT
from api.services.tokens import create_token
from domain.actors import Role
from tests.helpers import eventually
from tests.sender.servers import free_port

QIS = Path(sysconfig.get_path("scripts")) / "qis"
Launch = Callable[[str], Awaitable["Part"]]


class Part:
    """One `qis worker` or `qis api` process."""

    def __init__(self, process: asyncio.subprocess.Process, port: int | None) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}" if port else ""

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=60)


@pytest.fixture
async def start(dev_env: WorkflowEnvironment, database_url: str) -> AsyncIterator[Launch]:
    parts: list[Part] = []
    address = dev_env.client.service_client.config.target_host

    async def launch(command: str) -> Part:
        port = free_port() if command == "api" else None
        env = {**os.environ, "TEMPORAL_ADDRESS": address, "DATABASE_URL": database_url}
        if port:
            env["QIS_API_PORT"] = str(port)
        else:  # workers on one host need a metrics port each
            env["QIS_WORKER_METRICS_ADDRESS"] = f"127.0.0.1:{free_port()}"
        process = await asyncio.create_subprocess_exec(
            str(QIS), command, env=env, stdin=asyncio.subprocess.DEVNULL
        )
        part = Part(process, port)
        parts.append(part)
        return part

    yield launch
    for part in parts:
        if part.process.returncode is None:
            part.process.kill()
            await part.process.wait()


async def healthy(base: str) -> bool:
    async with httpx.AsyncClient() as http:
        try:
            return (await http.get(f"{base}/healthz", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False


async def test_two_workers_and_two_apis_share_the_work_and_drain_on_sigterm(
    start: Launch, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    workers = [await start("worker"), await start("worker")]
    apis = [await start("api"), await start("api")]
    for api in apis:
        await eventually(functools.partial(healthy, api.base), bool, within=60, interval=0.2)
    async with session_factory.begin() as session:
        _, operator = await create_token(session, role=Role.OPERATOR, label="运营")
        _, unit = await create_token(
            session, role=Role.UNIT, credit_code=PROJECT["unit"]["credit_code"], label="单位"
        )
        _, pudong = await create_token(
            session, role=Role.DISTRICT_BUREAU, district="310115", label="浦东"
        )
    as_ = {
        name: {"Authorization": f"Bearer {t}"}
        for name, t in (("operator", operator), ("unit", unit), ("district", pudong))
    }
    async with httpx.AsyncClient(timeout=30) as http:
        created = await http.post(
            f"{apis[0].base}/v1/projects", json=PROJECT, headers=as_["operator"]
        )
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        # One worker drains and leaves; the other carries on.
        assert await workers[0].stop() == 0
        asked = await http.post(
            f"{apis[1].base}/v1/projects/{pid}/actions/request-acceptance", headers=as_["unit"]
        )
        assert asked.status_code == 200, asked.text
        passed = await http.post(
            f"{apis[0].base}/v1/projects/{pid}/actions/decide-acceptance",
            json={"passed": True},
            headers=as_["district"],
        )
        assert passed.status_code == 200, passed.text
        directory = (await http.get(f"{apis[1].base}/v1/directory")).json()
        assert [e["focus"] for e in directory] == [PROJECT["focus"]]
    for part in [*apis, workers[1]]:
        assert await part.stop() == 0


async def test_a_part_without_its_services_says_what_to_set() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TEMPORAL_ADDRESS", "DATABASE_URL")}
    process = await asyncio.create_subprocess_exec(
        str(QIS), "worker", env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert "TEMPORAL_ADDRESS、DATABASE_URL" in err.decode()
