"""The console under test: the real app on a real localhost port (uvicorn), a real worker, the
time-skipping Temporal server and PostgreSQL (tests/conftest.py), driven by the Debian Chromium
through Playwright. No browser is downloaded: Playwright launches /usr/bin/chromium."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from playwright.async_api import Browser, async_playwright, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from tests.api.helpers import make_tokens, stop_processes
from tests.console.helpers import COMPRESSED, Console
from tests.console.server import serving
from tests.helpers import running_worker

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium waits on services of the (absent) internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A decision waits for Temporal and the database; two shared cores can make that slow.
WAIT_MS = 30_000


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@pytest.fixture
async def console(
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
    browser: Browser,
    workflow_env: WorkflowEnvironment,
) -> AsyncIterator[Console]:
    async with running_worker(client, session_factory) as harness:
        app = create_app(
            client=client,
            database_url=database_url,
            task_queue=harness.task_queue,
            policy=COMPRESSED,
            temporal_timeout=timedelta(seconds=20),
        )
        async with serving(app) as url:
            console = Console(
                url=url,
                browser=browser,
                tokens=await make_tokens(session_factory),
                sessions=session_factory,
                env=workflow_env,
                task_queue=harness.task_queue,
            )
            try:
                yield console
            finally:
                await console.close()
        await stop_processes(client, session_factory)
