"""A Temporal dev server per chaos test (its task queue is the production one, `qis-lifecycle`)
and the QIS worker processes the chaos kills."""

import asyncio
import os
import random
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.api.helpers import ALL_CONDITIONS, GOOD_SCORES
from tests.helpers import SCRIPTS, start_dev_server

# The decisions that take a project from registration to municipal naming, and who takes each.
STEPS: list[tuple[str, dict[str, Any] | None, str]] = [
    ("request-acceptance", None, "unit"),
    ("decide-acceptance", {"passed": True}, "district"),
    ("apply-municipal", {"conditions": ALL_CONDITIONS}, "unit"),
    ("recommend-municipal", {"recommend": True}, "district"),
    ("evaluate-municipal", {"passed": True, "scores": GOOD_SCORES}, "municipal"),
]


@pytest.fixture
async def chaos_env() -> AsyncIterator[WorkflowEnvironment]:
    # A server of its own: its task queue is the production one, `qis-lifecycle`.
    env = await start_dev_server()
    yield env
    await env.shutdown()


class Workers:
    """`qis worker` processes that a test kills and replaces, or freezes and thaws."""

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

    def pause(self) -> None:
        """Freeze every worker (SIGSTOP): nothing they hold runs and nothing new starts."""
        for process in self.processes:
            process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGCONT)

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()
            await process.wait()
