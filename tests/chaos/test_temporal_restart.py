"""Chaos: the Temporal server stops while decisions wait, their reminders and escalations fall
due in the gap, and the server comes back: each fires exactly once, nothing is lost."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowExecutionStatus

from api.app import create_app
from db import tables
from domain.policy import Policy
from stack.temporal import embedded_temporal
from tests.api.helpers import make_tokens, project_body
from tests.chaos.conftest import Workers
from tests.helpers import eventually
from tests.sender.servers import free_port
from workflows import workflow_id

PROJECTS = 4
# Compressed decision deadlines, so the reminder (2 s) and the escalation (4 s) fall in the gap.
POLICY = Policy(decision_due="PT4S", decision_reminder_before="PT2S")


async def test_timers_due_while_temporal_was_down_fire_once_when_it_returns(
    tmp_path: Path,
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    port, ui_port = free_port(), free_port()
    address = f"127.0.0.1:{port}"
    workers = Workers(address, database_url)
    tokens = await make_tokens(session_factory)
    operator, unit = tokens["operator"], tokens["unit"]
    ids: list[str] = []
    try:
        async with embedded_temporal(
            tmp_path, port=port, ui_port=ui_port, namespace="default"
        ) as server:
            await workers.start()
            app = create_app(
                client=server.client,
                database_url=database_url,
                policy=POLICY,
                temporal_timeout=timedelta(seconds=10),
            )
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://qis.test"
                ) as http,
            ):
                for n in range(PROJECTS):
                    created = await http.post(
                        "/v1/projects",
                        json=project_body(focus=f"重启{n}"),
                        headers={"Authorization": f"Bearer {operator}"},
                    )
                    assert created.status_code == 201, created.text
                    pid = created.json()["id"]
                    asked = await http.post(
                        f"/v1/projects/{pid}/actions/request-acceptance",
                        headers={"Authorization": f"Bearer {unit}"},
                    )
                    assert asked.status_code == 200, asked.text
                    ids.append(pid)
            stopped_at = datetime.now(UTC)
        # Temporal is down. Its timers are durable: wait (in real time: that is the point)
        # until every escalation has fallen due in the gap.
        escalations_due = stopped_at + timedelta(seconds=5)
        await eventually(_now, lambda now: now > escalations_due, within=30, interval=0.25)
        async with embedded_temporal(
            tmp_path, port=port, ui_port=ui_port, namespace="default"
        ) as server:
            for process in list(workers.processes):
                if process.returncode is not None:  # a worker may give up while it is away
                    workers.processes.remove(process)
                    await workers.start()

            async def timer_rows() -> dict[str, list[str]]:
                async with session_factory() as s:
                    keys = list(await s.scalars(select(tables.Notification.key)))
                return {
                    pid: sorted(k.split("/", 2)[2] for k in keys if k.startswith(f"{pid}/"))
                    for pid in ids
                }

            expected = sorted(["district", "reminder:acceptance", "escalation:acceptance"])
            rows = await eventually(
                timer_rows, lambda r: all(v == expected for v in r.values()), within=60
            )
            assert set(rows) == set(ids)
            for pid in ids:
                description = await server.client.get_workflow_handle(workflow_id(pid)).describe()
                assert description.status == WorkflowExecutionStatus.RUNNING
    finally:
        await workers.stop()


async def _now() -> datetime:
    return datetime.now(UTC)
