"""The rules of issue #7 on the time-skipping server: 谁命名谁撤消 (the referral, its dates and
its two answers), findings and off-cycle cancellations that must say why, 及时取消, acceptance
with an unmet basic condition, and imports that are behind."""

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.actors import Actor, Role
from domain.decisions import (
    DecideAcceptance,
    Decision,
    EvaluateDistrict,
    Finding,
    KeepMunicipalName,
    ReportViolation,
    RequestAcceptance,
)
from domain.durations import add_duration, local_date, start_of_day
from domain.project import ImportedNaming
from domain.stages import Level, Stage
from domain.state import RULES, TaskKind
from tests.helpers import DISTRICT_BUREAU, MUNICIPAL_BUREAU, UNIT, Harness, legal_due, make_spec
from tests.workflows.test_evaluations import name_municipal
from tests.workflows.test_naming import name_district

NOTE = "验收材料中的场地证明系伪造"
DISTRICT_FINDING = ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL, note=NOTE)
MUNICIPAL_FINDING = ReportViolation(
    scope="municipal", finding=Finding.FALSE_MATERIAL, note="市级评估材料同样伪造"
)


async def refused(h: Harness, actor: Actor, decision: Decision) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await h.decide(actor, decision)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "DecisionRefused"
    return cause.message


async def test_a_district_finding_after_municipal_naming_is_referred_reminded_and_escalated(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    named = await name_municipal(h)
    assert named.rules == RULES
    state = await h.decide(DISTRICT_BUREAU, DISTRICT_FINDING)
    finding_seq = state.seq
    district, municipal = state.names
    assert district.ending is not None
    assert (district.ending.kind, district.ending.by) == ("revoked", Role.DISTRICT_BUREAU)
    assert municipal.active
    assert (state.stage, state.level) == (Stage.MUNICIPAL_NAMED, Level.MUNICIPAL)
    task = state.task(TaskKind.VIOLATION_REFERRAL)
    assert task is not None
    assert task.role is Role.MUNICIPAL_BUREAU
    assert task.due_at == legal_due(state, task.opened_at, "P30D")
    assert task.reminder_at == add_duration(task.due_at, "P7D", -1)
    assert state.next_municipal_review_at == named.next_municipal_review_at
    state = await h.advance(workflow_env, task.due_at + timedelta(days=1))
    # (The year may end meanwhile: the unit's data task opens beside it, rules 4.)
    fired = [
        (e.event, e.at)
        for e in state.history
        if e.seq > finding_seq and e.event.endswith("violation_referral")
    ]
    assert fired == [
        ("reminder:violation_referral", task.reminder_at),
        ("escalation:violation_referral", task.due_at),
    ]
    # Escalated, the process still waits for the municipal bureau's answer: it keeps the name.
    state = await h.decide(MUNICIPAL_BUREAU, KeepMunicipalName(reason="市级评估材料经核查属实"))
    assert [t for t in state.tasks if t.kind is not TaskKind.DATA_SUBMISSION] == []
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.names[1].active
    assert state.history[-1].summary == "保留市级命名：市级评估材料经核查属实"
    assert state.next_municipal_review_at == named.next_municipal_review_at
    assert state.next_district_evaluation_at is None


async def test_the_municipal_bureau_answers_a_referral_by_revoking_its_name(h: Harness) -> None:
    await name_municipal(h)
    await h.decide(DISTRICT_BUREAU, DISTRICT_FINDING)
    state = await h.decide(MUNICIPAL_BUREAU, MUNICIPAL_FINDING)
    assert state.stage is Stage.REVOKED
    assert state.level is Level.NONE
    assert state.tasks == []
    municipal = state.names[1]
    assert municipal.ending is not None
    assert (municipal.ending.kind, municipal.ending.by) == ("revoked", Role.MUNICIPAL_BUREAU)
    assert (await h.handle.result()).stage is Stage.REVOKED


async def test_findings_without_what_was_found_are_refused(h: Harness) -> None:
    await name_municipal(h)
    for actor, scope in ((DISTRICT_BUREAU, "district"), (MUNICIPAL_BUREAU, "municipal")):
        for note in (None, "  "):
            finding = ReportViolation(scope=scope, finding=Finding.FALSE_DATA, note=note)
            message = await refused(h, actor, finding)
            assert message.startswith("违规认定须在 note 中写明查明的事实（第十条）")
    state = await h.state()
    assert all(n.active for n in state.names)


async def test_off_cycle_cancellation_needs_reasons_then_cancels(h: Harness) -> None:
    await name_district(h)
    message = await refused(h, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False))
    assert "须在 note 中写明不再符合基本条件的理由" in message
    state = await h.decide(
        DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False, note="服务场地租约已终止")
    )
    assert state.stage is Stage.CANCELLED
    ending = state.names[0].ending
    assert ending is not None
    assert ending.reason == "经核查不再符合基本条件，及时取消（第九条第二项）：服务场地租约已终止"
    assert (await h.handle.result()).stage is Stage.CANCELLED


async def test_off_cycle_check_finding_the_conditions_met_changes_nothing(h: Harness) -> None:
    named = await name_district(h)
    state = await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.next_district_evaluation_at == named.next_district_evaluation_at
    assert state.tasks == []
    assert state.history[-1].event == "evaluate-district"
    state = await h.state()
    assert state.run == 1
    assert state.next_district_evaluation_at == named.next_district_evaluation_at


async def test_acceptance_is_refused_while_a_basic_condition_is_unmet(h: Harness) -> None:
    spec = make_spec()
    spec.basic_conditions.five_element_capability.met = False
    await h.start(spec=spec)
    await h.decide(UNIT, RequestAcceptance())
    message = await refused(h, DISTRICT_BUREAU, DecideAcceptance(passed=True))
    assert message.startswith("不满足第五条基本条件，不能通过验收：具备五要素服务能力。")
    state = await h.state()
    assert state.stage is Stage.ACCEPTANCE
    assert state.names == []


async def test_an_import_behind_opens_the_district_evaluation_at_once(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    today = local_date(await workflow_env.get_current_time())
    named_on = today - timedelta(days=800)
    await h.start(imported=ImportedNaming(district_named_on=named_on))
    state = await h.state()
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.opened_at == state.registered_at
    assert task.due_at == legal_due(state, state.registered_at, "P30D")
    assert state.next_district_evaluation_at is None
    assert [e.event for e in state.history] == ["import", "due:district_evaluation"]
    state = await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
    # The cadence keeps counting from the naming anchor: the next anniversary after today.
    nxt = state.next_district_evaluation_at
    assert nxt is not None
    assert (local_date(nxt).month, local_date(nxt).day) == (named_on.month, named_on.day)
    assert start_of_day(today) < nxt <= add_duration(start_of_day(today), "P1Y")


async def test_an_import_behind_opens_the_three_year_review_at_once(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    today = local_date(await workflow_env.get_current_time())
    named_on = today - timedelta(days=4 * 365)
    await h.start(
        imported=ImportedNaming(
            district_named_on=named_on - timedelta(days=400), municipal_named_on=named_on
        )
    )
    state = await h.state()
    assert state.stage is Stage.MUNICIPAL_NAMED
    task = state.task(TaskKind.MUNICIPAL_REVIEW)
    assert task is not None
    assert task.opened_at == state.registered_at
    assert state.task(TaskKind.DISTRICT_EVALUATION) is None


async def test_an_import_evaluated_since_its_due_date_opens_nothing(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    today = local_date(await workflow_env.get_current_time())
    named_on = today - timedelta(days=800)
    await h.start(
        imported=ImportedNaming(
            district_named_on=named_on, district_last_evaluated_on=today - timedelta(days=10)
        )
    )
    state = await h.state()
    assert state.tasks == []
    nxt = state.next_district_evaluation_at
    assert nxt is not None
    assert start_of_day(today) < nxt <= add_duration(start_of_day(today), "P1Y")
