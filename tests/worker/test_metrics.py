"""A `qis worker` process serves the SDK's metrics and QIS's retry counter on one endpoint.

The worker runs against a Temporal dev server of this test's own (it polls the production task
queue) and a database that does not exist yet, so the project's first step fails and is retried
until the test creates the database: a stuck effect, then its recovery.
"""

import asyncio
import os
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.policy import Policy
from tests.helpers import SCRIPTS, eventually, latest_history, make_spec, settle, start_dev_server
from tests.postgres import on_server
from tests.sender.servers import free_port
from worker.metrics import RETRIES, MetricsAddressError, metrics_runtime
from workflows.start import first_step, start_project


@pytest.fixture
async def own_temporal() -> AsyncIterator[WorkflowEnvironment]:
    # A server of its own: the worker polls the production task queue, `qis-lifecycle`.
    env = await start_dev_server()
    yield env
    await env.shutdown()


async def scrape(url: str) -> tuple[set[str], dict[str, float]]:
    """The metric names the endpoint serves, and every sample keyed by its name and labels
    (nothing when it does not answer)."""
    try:
        async with httpx.AsyncClient() as http:
            text = (await http.get(url, timeout=2)).text
    except httpx.HTTPError:
        return set(), {}
    names: set[str] = set()
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        names.add(family.name)  # the parser drops a counter's `_total`
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return names, samples


def retries(samples: dict[str, float]) -> dict[str, float]:
    """QIS's retry counter by activity type."""
    found: dict[str, float] = {}
    for key, value in samples.items():
        name, _, labels = key.partition("{")
        if name == RETRIES:
            pairs = dict(p.split("=", 1) for p in labels.rstrip("}").split(","))
            found[pairs["activity_type"]] = value
    return found


async def attempts_beyond_the_first(client: Client, workflow_id: str) -> dict[str, int]:
    """From the history: each activity's attempts after the first, by activity type."""
    history = await latest_history(client, workflow_id)
    scheduled: dict[int, str] = {}
    beyond: Counter[str] = Counter()
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            scheduled[event.event_id] = attributes.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            beyond[scheduled[started.scheduled_event_id]] += started.attempt - 1
    return dict(beyond)


async def pending_attempt(client: Client, workflow_id: str) -> int:
    description = await client.get_workflow_handle(workflow_id).describe()
    return max((a.attempt for a in description.raw_description.pending_activities), default=0)


async def test_worker_serves_sdk_metrics_and_counts_retried_activities(
    own_temporal: WorkflowEnvironment, pg_socket_dir: str, template_database: str, tmp_path: Path
) -> None:
    client = own_temporal.client
    database = f"t_{uuid.uuid4().hex[:12]}"  # created only once the step has failed twice
    metrics = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "DATABASE_URL": f"postgresql+asyncpg://postgres@/{database}?host={pg_socket_dir}",
        "QIS_WORKER_METRICS_ADDRESS": metrics,
    }
    with (tmp_path / "worker.log").open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            str(SCRIPTS / "qis"), "worker", env=env, stdin=asyncio.subprocess.DEVNULL, stderr=log
        )
    try:
        url = f"http://{metrics}/metrics"
        first = first_step(uuid.uuid4().hex[:12], make_spec(), Policy(), None, datetime.now(UTC))
        handle = await start_project(client, first)
        # The first step cannot be written: its activity fails and is retried.
        await eventually(lambda: pending_attempt(client, handle.id), lambda a: a >= 3, within=60)
        await on_server(
            pg_socket_dir, f'CREATE DATABASE "{database}" TEMPLATE "{template_database}"'
        )
        await settle(client, handle.id, within=90)

        expected = await attempts_beyond_the_first(client, handle.id)
        assert expected.get("apply_step", 0) >= 2, expected
        names, _ = await eventually(
            lambda: scrape(url), lambda scraped: retries(scraped[1]) == expected, within=30
        )
        # The SDK's own metrics, on the same endpoint.
        assert {
            "temporal_activity_execution_failed",
            "temporal_activity_execution_latency",
            "temporal_activity_schedule_to_start_latency",
            "temporal_worker_task_slots_available",
            "temporal_workflow_task_execution_latency",
            "temporal_request",
        } <= names, sorted(names)

        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), timeout=60) == 0
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        await on_server(pg_socket_dir, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def test_a_taken_metrics_address_is_refused_with_what_to_set() -> None:
    address = f"127.0.0.1:{free_port()}"
    holder = metrics_runtime(address)  # serves while it is referenced
    with pytest.raises(MetricsAddressError, match="QIS_WORKER_METRICS_ADDRESS"):
        metrics_runtime(address)
    del holder
    with pytest.raises(MetricsAddressError, match="端口为 0"):
        metrics_runtime("127.0.0.1:0")
