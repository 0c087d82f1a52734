"""及时取消 (Art. 9.2, rules 2): the district bureau may cancel a district name between periodic
evaluations, with its reasons; and acceptance cannot pass while a basic condition is unmet."""

import pytest

from domain.actors import Role
from domain.decisions import Action, DecideAcceptance, EvaluateDistrict, RequestAcceptance
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.rules import DecisionRefused, allowed_actions
from domain.stages import Level, Stage
from domain.state import TaskKind
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    ACCEPTED_AT,
    DISTRICT_BUREAU,
    FIRST_DISTRICT_EVALUATION,
    MUNICIPAL_RECIPIENT,
    PROJECT_ID,
    REGISTERED_AT,
    REQUESTED_AT,
    UNIT,
    UNIT_RECIPIENT,
    as_set,
    decide,
    district_named,
    endings,
    in_municipal_recommendation,
    make_spec,
    notifications,
    recipient_set,
    records,
    utc,
)

CHECKED_AT = utc(2024, 9, 2, 2)
REASONS = "服务场地租约已终止，无法继续提供检验检测服务"


def test_off_cycle_cancellation_with_reasons() -> None:
    state = district_named()
    assert Action.EVALUATE_DISTRICT in allowed_actions(state, DISTRICT_BUREAU)
    effects = decide(
        state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False, note=REASONS), CHECKED_AT
    )
    assert state.stage is Stage.CANCELLED
    assert state.level is Level.NONE
    ending = state.names[0].ending
    assert ending is not None
    assert (ending.kind, ending.by) == ("cancelled", Role.DISTRICT_BUREAU)
    assert ending.reason == f"经核查不再符合基本条件，及时取消（第九条第二项）：{REASONS}"
    assert len(endings(effects)) == 1
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, MUNICIPAL_RECIPIENT)
    assert next_wakeup(state) is None


@pytest.mark.parametrize("note", [None, "", "   "])
def test_off_cycle_cancellation_needs_reasons(note: str | None) -> None:
    state = district_named()
    with pytest.raises(DecisionRefused, match="须在 note 中写明不再符合基本条件的理由"):
        decide(
            state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False, note=note), CHECKED_AT
        )
    assert state.stage is Stage.DISTRICT_NAMED


def test_off_cycle_conditions_met_changes_nothing_but_the_record() -> None:
    state = district_named()
    effects = decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), CHECKED_AT)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.next_district_evaluation_at == FIRST_DISTRICT_EVALUATION
    assert not state.cycle_completed
    assert state.tasks == []
    assert notifications(effects) == []
    [record] = records(effects)
    assert (
        record.entry.summary
        == "区级核查：仍符合基本条件，定期评估安排不变（下次定期评估2025-05-20）"
    )
    # The periodic evaluation still falls due on its date and is answered as before.
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.opened_at == FIRST_DISTRICT_EVALUATION


def test_the_periodic_evaluation_behaves_as_before() -> None:
    state = district_named()
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    # While the periodic task is open, a failure needs no note (as before) and it is periodic.
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False), utc(2025, 6, 1))
    assert state.stage is Stage.CANCELLED
    ending = state.names[0].ending
    assert ending is not None
    assert ending.reason == "经定期评估不再符合基本条件（第九条第二项）"


def test_off_cycle_only_while_a_district_project() -> None:
    state = in_municipal_recommendation()
    with pytest.raises(DecisionRefused, match="区级定期评估尚未到期"):
        decide(
            state,
            DISTRICT_BUREAU,
            EvaluateDistrict(meets_conditions=False, note=REASONS),
            CHECKED_AT,
        )


def test_off_cycle_not_on_the_first_rules() -> None:
    state = district_named()
    state.rules = 1
    assert Action.EVALUATE_DISTRICT not in allowed_actions(state, DISTRICT_BUREAU)
    with pytest.raises(DecisionRefused, match="区级定期评估尚未到期（下次评估：2025-05-20）"):
        decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), CHECKED_AT)


# Art. 5: acceptance passes only while every basic condition holds.


def test_acceptance_refused_naming_each_unmet_condition() -> None:
    spec = make_spec(
        basic_conditions={
            "plan_fit": {"met": True, "evidence": "列入区产业规划"},
            "five_element_capability": {"met": False, "evidence": "缺认证认可服务"},
            "systems_and_resources": False,
        }
    )
    state, _ = new_state(PROJECT_ID, spec, Policy(), REGISTERED_AT)
    decide(state, UNIT, RequestAcceptance(), REQUESTED_AT)
    with pytest.raises(DecisionRefused) as refused:
        decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), ACCEPTED_AT)
    assert refused.value.message.startswith(
        "不满足第五条基本条件，不能通过验收：具备五要素服务能力；"
        "具备工作制度、服务流程及资金、人员、技术、场地等保障。"
    )
    assert "符合本区产业规划" not in refused.value.message
    # Failing it stays possible.
    decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=False, note="条件不足"), ACCEPTED_AT)
    assert state.stage is Stage.BUILDING
