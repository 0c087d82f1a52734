"""One step, one activity: and processes started on the earlier release keep their path.

Release 1 wrote each effect in its own activity (record_decision, grant_name, end_name, notify,
then sync_project). Release 2 writes one step in one activity (`apply_step`), behind the patch
`one-transaction-step`. A process that started on release 1 replays and continues on the old
path until its next continue-as-new, then takes the new one.
"""

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.store import StoreActivities
from db import tables
from domain.decisions import DecideAcceptance, EvaluateDistrict, RequestAcceptance
from domain.stages import Stage
from domain.state import TaskKind
from tests.helpers import DISTRICT_BUREAU, UNIT, Harness, eventually
from tests.workflows.releases import ReleaseOneLifecycle
from worker.main import STRICT_SANDBOX, build_worker
from workflows.lifecycle import LEAN_RUN


@asynccontextmanager
async def release_one_worker(
    client: Client, sessions: async_sessionmaker[AsyncSession], task_queue: str
) -> AsyncIterator[None]:
    store = StoreActivities(sessions)
    # No workflow cache, so no sticky queue: the time-skipping server would otherwise keep
    # handing this process's tasks to the stopped worker instead of the next one.
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ReleaseOneLifecycle],
        activities=store.all(),
        max_cached_workflows=0,
    ):
        yield


def activities_of(history: WorkflowHistory) -> Counter[str]:
    return Counter(
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    )


def patch_markers(history: WorkflowHistory) -> list[str]:
    """The recorded markers, each as text (a patch marker's text holds the patch id)."""
    return [
        str(e.marker_recorded_event_attributes)
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    ]


async def count(sessions: async_sessionmaker[AsyncSession], table: type[tables.Base]) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(table)) or 0)


async def test_each_step_is_one_activity_writing_everything(
    h: Harness, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # Idle between steps, so none is batched with the next (steps queued while an activity
    # runs are written together by the following one).
    await h.start()
    await h.state()
    await h.decide(UNIT, RequestAcceptance())
    await h.state()
    state = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
    await h.state()
    history = await h.handle.fetch_history()
    # Registration, request, acceptance: three steps, three activities, nothing else.
    assert activities_of(history) == Counter({"apply_step": 3})
    # A new run records lean-run, which stands for one-transaction-step and every other patch.
    assert any(LEAN_RUN in m for m in patch_markers(history))
    async with session_factory() as s:
        row = (await s.scalars(select(tables.Project))).one()
        actions = list(await s.scalars(select(tables.Decision.action).order_by("seq")))
    assert (row.stage, row.state_seq) == ("district_named", state.seq)
    assert actions == ["request-acceptance", "decide-acceptance"]
    assert await count(session_factory, tables.Name) == 1


async def test_a_release_one_process_continues_on_its_path_until_it_continues_as_new(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    h = Harness(client, task_queue)
    async with release_one_worker(client, session_factory, task_queue):
        await h.start()
        await h.state()  # registration written on its own, so the request is a step of its own
        await h.decide(UNIT, RequestAcceptance())
        await h.state()
    before = activities_of(await h.handle.fetch_history())
    assert "apply_step" not in before
    assert before["sync_project"] == 2

    # The new release's worker picks the process up: it replays the old path and keeps it.
    async with build_worker(
        client, session_factory, task_queue=task_queue, workflow_runner=STRICT_SANDBOX
    ):
        state = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
        assert state.stage is Stage.DISTRICT_NAMED
        await h.state()
        first_run = await h.handle.fetch_history()
        assert "apply_step" not in activities_of(first_run)
        assert patch_markers(first_run) == []
        assert activities_of(first_run)["grant_name"] == 1
        async with session_factory() as s:
            row = (await s.scalars(select(tables.Project))).one()
        assert (row.stage, row.state_seq) == ("district_named", state.seq)

        # The evaluation cycle completes, the process continues as new: on the new path.
        due = state.next_district_evaluation_at
        assert due is not None
        await h.advance(workflow_env, due)
        await eventually(h.state, lambda s: s.task(TaskKind.DISTRICT_EVALUATION) is not None)
        await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
        carried = await eventually(h.state, lambda s: s.run == 2)
        latest = await client.get_workflow_handle(h.handle.id).fetch_history()
        assert activities_of(latest) == Counter({"apply_step": 1})
        assert carried.stage is Stage.DISTRICT_NAMED
        async with session_factory() as s:
            actions = list(await s.scalars(select(tables.Decision.action).order_by("seq")))
            row = (await s.scalars(select(tables.Project))).one()
        assert actions == ["request-acceptance", "decide-acceptance", "evaluate-district"]
        assert row.state_seq == carried.seq
        await client.get_workflow_handle(h.handle.id).terminate("test finished")
