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
    eventually,
    running_worker,
)


@pytest.fixture
async def h(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    async with running_worker(dev_env.client, session_factory) as harness:
        yield harness


async def refusal(h: Harness, actor: Actor, decision: Decision) -> ApplicationError:
    await eventually(h.idle, bool)
    before = await h.history_length()
    state_before = await h.state()
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await h.decide(actor, decision)
    assert await h.history_length() == before
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
    assert list(cause.details) == [["withdraw"]]


async def test_bureau_of_another_district_is_refused(h: Harness) -> None:
    await h.start()
    await h.decide(UNIT, RequestAcceptance())
    cause = await refusal(h, OTHER_DISTRICT_BUREAU, DecideAcceptance(passed=True))
    assert "该项目属于浦东新区，区市场监管局只能处理本区项目" in cause.message
    assert list(cause.details) == [[]]


async def test_the_same_update_id_is_applied_once(h: Harness) -> None:
    await h.start()
    first = await h.decide(UNIT, RequestAcceptance(), update_id="req-1")
    again = await h.decide(UNIT, RequestAcceptance(), update_id="req-1")
    assert again == first
    assert [e.event for e in again.history] == ["register", "request-acceptance"]
