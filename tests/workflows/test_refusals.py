"""Decisions the process does not accept are refused before they touch history.

These run on the real dev server: the time-skipping test server has no speculative workflow
tasks, so a rejected update leaves workflow-task events there, but none on a real server.
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.actors import Actor
from domain.decisions import DecideAcceptance, Decision, RequestAcceptance
from tests.helpers import (
    DISTRICT_BUREAU,
    OTHER_DISTRICT_BUREAU,
    UNIT,
    Harness,
    running_worker,
)


@pytest.fixture
async def h(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    async with running_worker(dev_env.client, session_factory) as harness:
        yield harness


async def refusal(h: Harness, actor: Actor, decision: Decision) -> ApplicationError:
    """The refusal of `decision`, checked to leave history and state exactly as they were."""
    before = await h.settle()
    state_before = await h.state()
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await h.decide(actor, decision)
    after = await h.settle()
    assert [(e.event_id, e.event_type) for e in after.events] == [
        (e.event_id, e.event_type) for e in before.events
    ]
    assert await h.state() == state_before
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "DecisionRefused"
    return cause


async def test_wrong_stage_is_refused_naming_the_stage_and_the_allowed_actions(h: Harness) -> None:
    await h.start()
    cause = await refusal(h, DISTRICT_BUREAU, DecideAcceptance(passed=True))
    assert "项目当前阶段为“建设中”，不能执行“验收结论”" in cause.message
    assert "当前可执行：" in cause.message
    assert "申请验收（request-acceptance）" in cause.message
    assert list(cause.details) == [["report-violation"]]


async def test_wrong_role_is_refused(h: Harness) -> None:
    await h.start()
    await h.decide(UNIT, RequestAcceptance())
    cause = await refusal(h, UNIT, DecideAcceptance(passed=True))
    assert "“验收结论”只能由区市场监管局作出，当前身份为实施单位" in cause.message
    assert list(cause.details) == [["withdraw", "update-profile"]]


async def test_bureau_of_another_district_is_refused(h: Harness) -> None:
    await h.start()
    await h.decide(UNIT, RequestAcceptance())
    cause = await refusal(h, OTHER_DISTRICT_BUREAU, DecideAcceptance(passed=True))
    assert "该项目属于浦东新区，区市场监管局只能处理本区项目" in cause.message
    assert list(cause.details) == [[]]
