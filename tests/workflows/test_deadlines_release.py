"""Processes started before legal deadlines keep counting plainly until they continue as new.

Legal deadlines (rules 3) come behind the patch `legal-deadlines` (workflows.lifecycle): a run
that started without it replays and continues on rules 2 (due dates exactly 30 days on, no work
calendar, no calendar activity), and only its next run counts deadlines as the law does. A
subclass that skips the patch check stands in for the release before it; its worker has no
calendar activity at all, so a call to it would fail the test.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.store import StoreActivities
from domain.decisions import DecideAcceptance, EvaluateDistrict, RequestAcceptance
from domain.durations import add_duration
from domain.state import RULES, TaskKind
from tests.helpers import DISTRICT_BUREAU, UNIT, Harness, eventually, legal_due
from tests.workflows.releases import ReleaseThreeLifecycle
from tests.workflows.test_step import patch_markers
from worker.main import STRICT_SANDBOX, build_worker
from workflows.lifecycle import LEAN_RUN, LEGAL_DEADLINES


@asynccontextmanager
async def release_three_worker(
    client: Client, sessions: async_sessionmaker[AsyncSession], task_queue: str
) -> AsyncIterator[None]:
    # No workflow cache (so no sticky queue): the next worker replays the process from history.
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ReleaseThreeLifecycle],
        activities=StoreActivities(sessions).all(),
        max_cached_workflows=0,
    ):
        yield


async def legal_markers(client: Client, workflow_id: str, run_id: str | None = None) -> int:
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    # Its own marker, or (since release 6) lean-run, which stands for it and every other.
    return sum(LEGAL_DEADLINES in m or LEAN_RUN in m for m in patch_markers(history))


async def test_a_pre_change_process_counts_plainly_until_it_continues_as_new(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    h = Harness(client, f"test-{uuid.uuid4().hex[:8]}")
    async with release_three_worker(client, session_factory, h.task_queue):
        await h.start()
        state = await h.decide(UNIT, RequestAcceptance())
        await h.state()
    assert state.rules == 2
    assert state.calendar is None
    first_run = h.handle.first_execution_run_id

    async with build_worker(
        client, session_factory, task_queue=h.task_queue, workflow_runner=STRICT_SANDBOX
    ):
        # Replayed on the new worker, the run stays on rules 2: its next due date is plain.
        named = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
        assert (named.rules, named.calendar) == (2, None)
        due = named.next_district_evaluation_at
        assert due is not None
        await h.advance(workflow_env, due)
        state = await eventually(
            h.state, lambda s: s.task(TaskKind.DISTRICT_EVALUATION) is not None
        )
        task = state.task(TaskKind.DISTRICT_EVALUATION)
        assert task is not None
        assert task.due_at == add_duration(task.opened_at, "P30D")
        assert task.due_rule is None
        assert await legal_markers(client, h.handle.id, first_run) == 0

        # The evaluation completes the cycle; the next run loads a calendar and counts legally.
        await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
        carried = await eventually(h.state, lambda s: s.run == 2 and s.calendar is not None)
        assert carried.rules == RULES  # legal deadlines and all later rules (>= 3)
        assert await legal_markers(client, h.handle.id) == 1
        nxt = carried.next_district_evaluation_at
        assert nxt is not None
        await h.advance(workflow_env, nxt)
        state = await eventually(
            h.state, lambda s: s.task(TaskKind.DISTRICT_EVALUATION) is not None
        )
        task = state.task(TaskKind.DISTRICT_EVALUATION)
        assert task is not None
        assert task.due_at == legal_due(state, task.opened_at, "P30D")
        assert task.due_rule is not None
        await h.settle()
        await client.get_workflow_handle(h.handle.id).terminate("test finished")
