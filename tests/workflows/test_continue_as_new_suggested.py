"""A process continues as new when Temporal suggests it, not only after an evaluation cycle.

A dev server whose dynamic config suggests continue-as-new after a short history makes the
workflow take its `is_continue_as_new_suggested()` branch: the whole state is carried and the
process goes on in the new run.
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from db import tables
from domain.decisions import DecideAcceptance, RequestAcceptance
from domain.stages import Stage
from tests.helpers import DISTRICT_BUREAU, UNIT, eventually, running_worker, start_dev_server

# Events: a registration and a decision make more (about 23), a fresh run and its next decision
# fewer (about 19). A run opens with one patch marker and its TemporalChangeVersion upsert
# (lean-run), and the start sets the search attributes, so a registration makes 12.
SUGGEST_AFTER = 21


@pytest.fixture
async def short_history_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_dev_server(
        "--dynamic-config-value", f"limit.historyCount.suggestContinueAsNew={SUGGEST_AFTER}"
    )
    yield env
    await env.shutdown()


async def test_a_suggested_continue_as_new_carries_the_state(
    short_history_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client = short_history_env.client
    async with running_worker(client, session_factory) as h:
        await h.start()
        registered = await h.state()  # settled: the registration's step is written
        assert registered.run == 1
        requested = await h.decide(UNIT, RequestAcceptance())
        # Nothing completes a cycle here: the server's suggestion moves it to a new run.
        carried = await eventually(h.state, lambda s: s.run == 2)
        assert carried.stage is Stage.ACCEPTANCE
        assert carried.history == requested.history
        assert carried.tasks == requested.tasks
        first = await client.get_workflow_handle(
            h.handle.id, run_id=h.handle.first_execution_run_id
        ).fetch_history()
        assert first.events[-1].event_type == (
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        )
        assert any(
            e.workflow_task_started_event_attributes.suggest_continue_as_new
            for e in first.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
        )
        # The process goes on, and settles: a fresh run is short, so it does not loop.
        named = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
        assert named.stage is Stage.DISTRICT_NAMED
        settled = await h.state()
        assert settled.stage is Stage.DISTRICT_NAMED
        assert settled.history == named.history
        async with session_factory() as s:
            actions = list(await s.scalars(select(tables.Decision.action).order_by("seq")))
        assert actions == ["request-acceptance", "decide-acceptance"]
