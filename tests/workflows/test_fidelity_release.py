"""Processes started before the rules of issue #7 keep their rules until they continue as new.

The rules are raised behind the patch `fidelity-rules` (workflows.lifecycle): a run that started
without it replays and continues with the rules it carries (`state.rules`, 1), and only its next
run, after continue-as-new, follows the latest ones. A subclass that skips the patch check stands
in for the release before it.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.store import StoreActivities
from domain.actors import Role
from domain.decisions import EvaluateDistrict, Finding, ReportViolation
from domain.stages import Level, Stage
from domain.state import RULES, TaskKind
from tests.helpers import DISTRICT_BUREAU, Harness, eventually
from tests.workflows.releases import ReleaseTwoLifecycle
from tests.workflows.test_evaluations import name_municipal
from tests.workflows.test_naming import name_district
from tests.workflows.test_step import patch_markers
from worker.main import STRICT_SANDBOX, build_worker
from workflows.lifecycle import FIDELITY_RULES, LEAN_RUN

FINDING = ReportViolation(scope="district", finding=Finding.FALSE_DATA, note="报送数据不实")


@asynccontextmanager
async def release_two_worker(
    client: Client, sessions: async_sessionmaker[AsyncSession], task_queue: str
) -> AsyncIterator[None]:
    # No workflow cache (so no sticky queue): the next worker replays the process from history.
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ReleaseTwoLifecycle],
        activities=StoreActivities(sessions).all(),
        max_cached_workflows=0,
    ):
        yield


async def fidelity_markers(client: Client, workflow_id: str, run_id: str | None = None) -> int:
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    # Its own marker, or (since release 6) lean-run, which stands for it and every other.
    return sum(FIDELITY_RULES in m or LEAN_RUN in m for m in patch_markers(history))


async def test_on_the_previous_rules_a_district_finding_ends_both_names(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = Harness(client, f"test-{uuid.uuid4().hex[:8]}")
    async with release_two_worker(client, session_factory, h.task_queue):
        named = await name_municipal(h)
        assert named.rules == 1
        state = await h.decide(DISTRICT_BUREAU, FINDING)
        assert state.stage is Stage.REVOKED
        assert state.level is Level.NONE
        assert state.tasks == []
        district, municipal = state.names
        assert municipal.ending is not None
        assert (municipal.ending.kind, municipal.ending.by) == ("revoked", Role.DISTRICT_BUREAU)
        assert municipal.ending.reason == "区级命名被撤消（提供不实数据（第十条））"
        assert district.ending is not None
        await h.settle()
    assert await fidelity_markers(client, h.handle.id) == 0


async def test_a_pre_change_process_keeps_its_rules_until_it_continues_as_new(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    h = Harness(client, f"test-{uuid.uuid4().hex[:8]}")
    async with release_two_worker(client, session_factory, h.task_queue):
        named = await name_district(h)
        await h.state()
    assert named.rules == 1
    first_run = h.handle.first_execution_run_id

    async with build_worker(
        client, session_factory, task_queue=h.task_queue, workflow_runner=STRICT_SANDBOX
    ):
        # Replayed on the new worker, the run keeps rules 1: no off-cycle evaluation.
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
        assert isinstance(failed.value.cause, ApplicationError)
        assert "区级定期评估尚未到期" in failed.value.cause.message
        state = await h.state()
        assert state.rules == 1
        assert await fidelity_markers(client, h.handle.id, first_run) == 0

        # The periodic evaluation completes the cycle; the next run follows the latest rules.
        due = state.next_district_evaluation_at
        assert due is not None
        await h.advance(workflow_env, due)
        await eventually(h.state, lambda s: s.task(TaskKind.DISTRICT_EVALUATION) is not None)
        await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
        carried = await eventually(h.state, lambda s: s.run == 2)
        assert carried.rules == RULES
        assert await fidelity_markers(client, h.handle.id) == 1
        assert await fidelity_markers(client, h.handle.id, first_run) == 0

        # Off-cycle evaluation is now allowed and leaves the cadence alone.
        state = await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
        assert state.next_district_evaluation_at == carried.next_district_evaluation_at
        assert state.run == 2
        await h.settle()
        await client.get_workflow_handle(h.handle.id).terminate("test finished")
