"""A decision arriving with a timer that is due but not yet applied by the main loop.

The rectification period ends (its review falls due to the municipal bureau) while no worker
runs; a failed rectification review, allowed only once that review is due, is sent before the
worker comes back. Timer and decision then reach the workflow in one workflow task, where the
update's validator runs before the main loop wakes: it must judge the decision against a copy
of the state advanced to now, and leave the real state for the handler to advance (with the
effects that advancing brings).
"""

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import UpdateRef, WaitPolicy
from temporalio.api.workflowservice.v1 import PollWorkflowExecutionUpdateRequest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from db import tables
from domain.decisions import ReviewMunicipal, ReviewRectification, Scores
from domain.policy import Policy
from domain.stages import Stage
from domain.state import TaskKind
from tests.helpers import MUNICIPAL_BUREAU, SCORES, Harness, eventually, latest_history
from tests.workflows.test_evaluations import name_municipal, wait_for_task
from worker.main import STRICT_SANDBOX, build_worker

# Seconds, on the dev server's real clock: the review falls due just after naming, and the
# rectification period is long enough to stop the worker before it ends.
POLICY = Policy(municipal_review_interval="PT2S", rectification_period="PT8S")


async def admitted(h: Harness, update_id: str) -> bool:
    """Whether the server holds the update (waiting for a worker to take it)."""
    request = PollWorkflowExecutionUpdateRequest(
        namespace=h.client.namespace,
        update_ref=UpdateRef(
            workflow_execution=WorkflowExecution(workflow_id=h.handle.id), update_id=update_id
        ),
        wait_policy=WaitPolicy(
            lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
        ),
    )
    try:
        await h.client.workflow_service.poll_workflow_execution_update(request)
    except RPCError:
        return False
    return True


async def timers_fired(h: Harness) -> int:
    history = await latest_history(h.client, h.handle.id)
    return sum(e.event_type == EventType.EVENT_TYPE_TIMER_FIRED for e in history.events)


async def due_notices(sessions: async_sessionmaker[AsyncSession], project_id: str) -> list[str]:
    async with sessions() as s:
        rows = await s.scalars(
            select(tables.Notification.recipient).where(
                tables.Notification.project_id == project_id,
                tables.Notification.subject.contains("整改复评到期"),
            )
        )
        return list(rows)


async def test_a_decision_valid_only_once_a_due_timer_is_applied_is_judged_on_a_copy(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client = dev_env.client
    queue = f"test-{uuid.uuid4().hex[:8]}"
    h = Harness(client, queue)
    h.policy = POLICY
    async with build_worker(
        client, session_factory, task_queue=queue, workflow_runner=STRICT_SANDBOX
    ):
        await name_municipal(h)
        await wait_for_task(h, TaskKind.MUNICIPAL_REVIEW)
        state = await h.decide(
            MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=Scores(**SCORES))
        )
        assert state.stage is Stage.RECTIFICATION
        deadline = state.rectification_deadline
        assert deadline is not None
        await h.settle()
        fired = await timers_fired(h)
    # No worker: the period ends and its timer fires, but nothing applies it.
    assert datetime.now(UTC) < deadline, "the worker stopped too late for this test"
    await eventually(lambda: timers_fired(h), lambda n: n > fired, within=30)
    decision = asyncio.create_task(
        h.decide(MUNICIPAL_BUREAU, ReviewRectification(passed=False), update_id="late-review")
    )
    try:
        await eventually(lambda: admitted(h, "late-review"), bool, within=30)
        async with build_worker(
            client, session_factory, task_queue=queue, workflow_runner=STRICT_SANDBOX
        ):
            state = await asyncio.wait_for(decision, timeout=60)
            # Judged after the review fell due: a failed rectification ends the municipal name.
            assert state.stage is Stage.DISTRICT_NAMED
            events = [(e.event, e.at) for e in state.history[-2:]]
            assert events[0] == ("due:rectification_review", deadline)
            assert events[1][0] == "review-rectification"
            # The handler advanced the real state itself, effects included: had the validator
            # advanced it, the review's due notice would have been lost.
            notices = await eventually(lambda: due_notices(session_factory, h.project_id), bool)
            assert notices == ["municipal_bureau"]
            await h.settle()
            # The timer and the decision came in one workflow task: the validator ran first.
            # (The decision completed a cycle, so the run that took it is the first one.)
            first_run = client.get_workflow_handle(
                h.handle.id, run_id=h.handle.first_execution_run_id
            )
            kinds = [e.event_type for e in (await first_run.fetch_history()).events]
            accepted = max(
                i
                for i, k in enumerate(kinds)
                if k == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
            )
            last_fired = max(
                i for i, k in enumerate(kinds[:accepted]) if k == EventType.EVENT_TYPE_TIMER_FIRED
            )
            between = kinds[last_fired:accepted]
            assert between.count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) == 1, between
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(h.handle.id).terminate("test finished")
    finally:
        decision.cancel()
