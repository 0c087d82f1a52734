"""Processes started before data collection open no data tasks until they continue as new.

Data collection (rules 4) comes behind the patch `data-collection` (workflows.lifecycle): a run
that started without it replays and continues on rules 3, and only its next run (after a
completed evaluation) owes data from its current period on. A subclass whose patch check
answers False stands in for the release before it.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.calendar import load_work_calendar
from activities.store import StoreActivities
from domain.decisions import EvaluateDistrict
from domain.durations import local_date
from domain.periods import period_containing
from domain.project import ImportedNaming
from domain.state import RULES, TaskKind
from tests.helpers import DISTRICT_BUREAU, Harness, eventually
from tests.workflows.releases import ReleaseFourLifecycle
from tests.workflows.test_step import patch_markers
from worker.main import STRICT_SANDBOX, build_worker
from workflows.lifecycle import DATA_COLLECTION, LEAN_RUN


@asynccontextmanager
async def release_four_worker(
    client: Client, sessions: async_sessionmaker[AsyncSession], task_queue: str
) -> AsyncIterator[None]:
    # No workflow cache (so no sticky queue): the next worker replays the process from history.
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ReleaseFourLifecycle],
        activities=[*StoreActivities(sessions).all(), load_work_calendar],
        max_cached_workflows=0,
    ):
        yield


async def data_markers(client: Client, workflow_id: str, run_id: str | None = None) -> int:
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    # Its own marker, or (since release 6) lean-run, which stands for it and every other.
    return sum(DATA_COLLECTION in m or LEAN_RUN in m for m in patch_markers(history))


async def test_a_pre_change_process_owes_no_data_until_it_continues_as_new(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    h = Harness(client, f"test-{uuid.uuid4().hex[:8]}")
    today = local_date(await workflow_env.get_current_time())
    # Its periodic evaluation falls due in 40 days, after the year has ended or not.
    named = today.replace(year=today.year - 1, day=min(today.day, 28)) + timedelta(days=40)
    async with release_four_worker(client, session_factory, h.task_queue):
        await h.start(imported=ImportedNaming(district_named_on=named))
        state = await h.state()
    assert (state.rules, state.next_data_period_end) == (3, None)
    first_run = h.handle.first_execution_run_id

    async with build_worker(
        client, session_factory, task_queue=h.task_queue, workflow_runner=STRICT_SANDBOX
    ):
        # Replayed on the new worker the run stays on rules 3: a year's end opens nothing.
        year_end = period_containing(await workflow_env.get_current_time()).end
        state = await h.advance(workflow_env, year_end + timedelta(days=1))
        assert state.rules == 3
        assert state.task(TaskKind.DATA_SUBMISSION) is None
        assert await data_markers(client, h.handle.id, first_run) == 0
        if state.task(TaskKind.DISTRICT_EVALUATION) is None:
            due = state.next_district_evaluation_at
            assert due is not None
            state = await h.advance(workflow_env, due + timedelta(minutes=1))

        # The evaluation completes the cycle; the next run owes data from its current period.
        await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
        carried = await eventually(h.state, lambda s: s.run == 2)
        assert carried.rules == RULES == 4
        assert await data_markers(client, h.handle.id) == 1
        now = await workflow_env.get_current_time()
        assert carried.next_data_period_end == period_containing(now).end
        state = await h.advance(workflow_env, period_containing(now).end + timedelta(minutes=1))
        assert [t.period for t in state.tasks if t.kind is TaskKind.DATA_SUBMISSION] == [
            period_containing(now).label
        ]
        await h.settle()
        await client.get_workflow_handle(h.handle.id).terminate("test finished")
