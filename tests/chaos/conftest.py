"""A Temporal dev server per chaos test (its task queue is the production one, `qis-lifecycle`)
and the QIS worker processes the chaos kills."""

import asyncio
import os
import random
import signal
import sysconfig
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from workflows import search_attributes as sa

SCRIPTS = Path(sysconfig.get_path("scripts"))


@pytest.fixture
async def chaos_env() -> AsyncIterator[WorkflowEnvironment]:
    # A server of its own: its task queue is the production one, `qis-lifecycle`.
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(SCRIPTS / "temporal"),
        search_attributes=[*sa.KEYWORDS, sa.NEXT_DEADLINE],
    )
    yield env
    await env.shutdown()


class Workers:
    """Two `qis worker` processes, one of which the killer replaces again and again."""

    def __init__(self, address: str, database_url: str) -> None:
        self.env = {
            **os.environ,
            "TEMPORAL_ADDRESS": address,
            "DATABASE_URL": database_url,
            "QIS_WORKER_METRICS_ADDRESS": "",  # off: replacements would race for one port
        }
        self.processes: list[asyncio.subprocess.Process] = []
        self.kills = 0

    async def start(self) -> None:
        process = await asyncio.create_subprocess_exec(
            str(SCRIPTS / "qis"),
            "worker",
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        self.processes.append(process)

    async def kill_one(self, rng: random.Random) -> None:
        victim = self.processes.pop(rng.randrange(len(self.processes)))
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        self.kills += 1
        await self.start()

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()
            await process.wait()
