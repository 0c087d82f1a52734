"""A retried decision is applied once, by the workflow's own memory of update ids.

Within one run the server already deduplicates update ids, so a retry there proves nothing
about the workflow. These retries come after a continue-as-new, where the new run has only the
ids the workflow carried over: the last REMEMBERED_UPDATES of them.
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.decisions import DecideAcceptance, EvaluateDistrict, RequestAcceptance
from domain.stages import Stage
from domain.state import TaskKind
from tests.helpers import DISTRICT_BUREAU, UNIT, Harness, eventually, running_worker
from tests.workflows.test_evaluations import until
from workflows.lifecycle import REMEMBERED_UPDATES


@pytest.fixture
async def h(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    # Not the scenario fixture: this process's long history is no scenario to replay.
    async with running_worker(client, session_factory) as harness:
        yield harness


async def test_retries_after_continue_as_new_are_answered_once_even_past_the_cap(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    await h.start()
    # More accepted decisions than the process remembers: failed acceptances, each a pair.
    rounds = REMEMBERED_UPDATES // 2 + 1
    for n in range(1, rounds + 1):
        await h.decide(UNIT, RequestAcceptance(), update_id=f"request-{n}")
        await h.decide(
            DISTRICT_BUREAU, DecideAcceptance(passed=False, note="资料不全"), update_id=f"fail-{n}"
        )
    await h.decide(UNIT, RequestAcceptance(), update_id="request-last")
    named = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True), update_id="name")
    assert named.stage is Stage.DISTRICT_NAMED
    assert len(named.recent_update_ids) == REMEMBERED_UPDATES
    assert "request-1" not in named.recent_update_ids
    assert named.recent_update_ids[-1] == "name"

    # The periodic evaluation completes a cycle: the process continues as new.
    await until(workflow_env, h, TaskKind.DISTRICT_EVALUATION)
    evaluated = await h.decide(
        DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), update_id="evaluation"
    )
    carried = await eventually(h.state, lambda s: s.run == evaluated.run + 1)
    assert carried.history == evaluated.history
    assert carried.task(TaskKind.DISTRICT_EVALUATION) is None

    # Remembered ids, retried in the new run, are answered with the state and not applied:
    # applied again, the evaluation would be refused (none is due) and the naming too (the
    # project is named).
    again = await h.decide(
        DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), update_id="evaluation"
    )
    assert again.history == carried.history
    again = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True), update_id="name")
    assert again.history == carried.history
    assert again.stage is Stage.DISTRICT_NAMED

    # An evicted id is a new request to the process: judged by the stage rules, and refused.
    assert "request-1" not in carried.recent_update_ids
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await h.decide(UNIT, RequestAcceptance(), update_id="request-1")
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "DecisionRefused"
    assert "项目当前阶段为“区级项目”，不能执行“申请验收”" in cause.message
    assert (await h.state()).history == carried.history
