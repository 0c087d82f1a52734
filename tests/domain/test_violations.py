"""Revocation for false material, false data or serious violations (Art. 10, docs/regulation.md)."""

from collections.abc import Callable
from datetime import date

import pytest

from domain.actors import Role
from domain.decisions import (
    DecideAcceptance,
    EvaluateDistrict,
    Finding,
    ReportViolation,
    ReviewRectification,
)
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.project import ImportedNaming
from domain.rules import DecisionRefused
from domain.stages import Level, Stage
from domain.state import ProjectState, TaskKind
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    DISTRICT_RECIPIENT,
    FIRST_DISTRICT_EVALUATION,
    MUNICIPAL_BUREAU,
    MUNICIPAL_RECIPIENT,
    PROJECT_ID,
    RECTIFICATION_DEADLINE,
    UNIT,
    UNIT_RECIPIENT,
    as_set,
    assert_names_only_appended,
    decide,
    district_named,
    endings,
    in_acceptance,
    in_municipal_evaluation,
    in_municipal_recommendation,
    in_rectification,
    make_spec,
    make_state,
    municipal_named,
    recipient_set,
    shanghai_midnight,
    utc,
)

FOUND_AT = utc(2026, 3, 2, 2)
EVERYONE = as_set(UNIT_RECIPIENT, DISTRICT_RECIPIENT, MUNICIPAL_RECIPIENT)


def _district_finding(finding: Finding = Finding.FALSE_MATERIAL) -> ReportViolation:
    return ReportViolation(scope="district", finding=finding, note="验收材料中的场地证明系伪造")


def _municipal_finding(finding: Finding = Finding.FALSE_DATA) -> ReportViolation:
    return ReportViolation(scope="municipal", finding=finding, note="报送的服务企业数不实")


# before any name


@pytest.mark.parametrize("build", [make_state, in_acceptance])
def test_district_finding_before_naming_rejects_the_application(
    build: Callable[[], ProjectState],
) -> None:
    state = build()
    effects = decide(state, DISTRICT_BUREAU, _district_finding(), FOUND_AT)
    assert state.stage is Stage.REJECTED
    assert state.names == []
    assert state.tasks == []
    assert endings(effects) == []
    assert recipient_set(effects) == EVERYONE
    assert next_wakeup(state) is None


# district name


def test_district_finding_after_naming_revokes_the_district_name() -> None:
    state = district_named()
    before = [n.model_copy(deep=True) for n in state.names]
    effects = decide(state, DISTRICT_BUREAU, _district_finding(Finding.FALSE_DATA), FOUND_AT)
    assert state.stage is Stage.REVOKED
    assert state.level is Level.NONE
    assert_names_only_appended(before, state.names)
    ending = state.names[0].ending
    assert ending is not None
    assert ending.kind == "revoked"
    assert ending.by is Role.DISTRICT_BUREAU
    assert ending.on == date(2026, 3, 2)
    assert Finding.FALSE_DATA.label in ending.reason
    assert "第十条" in ending.reason
    [end] = endings(effects)
    assert end.name_key == state.names[0].key
    assert recipient_set(effects) == EVERYONE
    assert state.next_district_evaluation_at is None
    assert next_wakeup(state) is None


def test_district_finding_during_a_municipal_application_revokes_and_ends() -> None:
    state = in_municipal_evaluation()
    effects = decide(state, DISTRICT_BUREAU, _district_finding(), FOUND_AT)
    assert state.stage is Stage.REVOKED
    assert state.tasks == []
    assert len(endings(effects)) == 1


def test_on_the_first_rules_revoking_the_district_name_also_ends_the_municipal_name() -> None:
    # Processes that started before 谁命名谁撤消 (rules 1) keep this until they continue as new;
    # tests/domain/test_fidelity_referral.py has the referral of rules 2.
    state = municipal_named()
    state.rules = 1
    before = [n.model_copy(deep=True) for n in state.names]
    effects = decide(state, DISTRICT_BUREAU, _district_finding(Finding.SERIOUS_VIOLATION), FOUND_AT)
    assert state.stage is Stage.REVOKED
    assert state.level is Level.NONE
    assert_names_only_appended(before, state.names)
    assert all(n.ending is not None and n.ending.kind == "revoked" for n in state.names)
    assert {e.name_key for e in endings(effects)} == {n.key for n in state.names}
    assert state.next_municipal_review_at is None
    assert next_wakeup(state) is None


def test_on_the_first_rules_revoking_the_district_name_in_rectification_ends_everything() -> None:
    state = in_rectification()
    state.rules = 1
    decide(state, DISTRICT_BUREAU, _district_finding(), FOUND_AT.replace(year=2027, month=9))
    assert state.stage is Stage.REVOKED
    assert state.rectification_deadline is None
    assert state.rectification_reminders == []
    assert next_wakeup(state) is None


def test_an_ended_name_keeps_its_first_ending() -> None:
    state = in_rectification()
    advance_time(state, RECTIFICATION_DEADLINE)
    decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=False), utc(2028, 1, 20))
    municipal_ending = state.names[1].ending
    assert municipal_ending is not None
    effects = decide(state, DISTRICT_BUREAU, _district_finding(), utc(2028, 2, 1))
    assert state.names[1].ending == municipal_ending
    assert municipal_ending.kind == "cancelled"
    [end] = endings(effects)
    assert end.name_key == state.names[0].key
    assert state.stage is Stage.REVOKED


# municipal name


def test_municipal_finding_before_municipal_naming_ends_the_application_only() -> None:
    state = in_municipal_evaluation()
    effects = decide(state, MUNICIPAL_BUREAU, _municipal_finding(), FOUND_AT)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    assert state.task(TaskKind.MUNICIPAL_EVALUATION) is None
    assert len(state.names) == 1
    assert state.names[0].active
    assert endings(effects) == []
    assert recipient_set(effects) == EVERYONE


def test_municipal_finding_during_recommendation_ends_the_application_only() -> None:
    state = in_municipal_recommendation()
    decide(state, MUNICIPAL_BUREAU, _municipal_finding(), FOUND_AT)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.tasks == []


def test_municipal_finding_revokes_the_municipal_name_and_the_district_name_stands() -> None:
    state = municipal_named()
    before = [n.model_copy(deep=True) for n in state.names]
    effects = decide(state, MUNICIPAL_BUREAU, _municipal_finding(), FOUND_AT)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    assert_names_only_appended(before, state.names)
    district, municipal = state.names
    assert district.active
    assert municipal.ending is not None
    assert municipal.ending.kind == "revoked"
    assert municipal.ending.by is Role.MUNICIPAL_BUREAU
    [end] = endings(effects)
    assert end.name_key == municipal.key
    assert recipient_set(effects) == EVERYONE
    assert state.next_municipal_review_at is None
    # District evaluations resume on the district anchor (named 2024-05-20).
    assert state.next_district_evaluation_at == shanghai_midnight(2026, 5, 20)


def test_municipal_finding_in_rectification_clears_the_rectification() -> None:
    state = in_rectification()
    decide(state, MUNICIPAL_BUREAU, _municipal_finding(), utc(2027, 9, 1))
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.rectification_deadline is None
    assert state.rectification_reminders == []
    assert state.tasks == []
    assert next_wakeup(state) == shanghai_midnight(2028, 5, 20)


def test_after_municipal_revocation_the_district_bureau_may_still_revoke_its_name() -> None:
    state = municipal_named()
    decide(state, MUNICIPAL_BUREAU, _municipal_finding(), FOUND_AT)
    decide(state, DISTRICT_BUREAU, _district_finding(), utc(2026, 4, 1))
    assert state.stage is Stage.REVOKED
    assert all(not n.active for n in state.names)


def test_imported_municipal_project_can_be_revoked_at_either_level() -> None:
    imported = ImportedNaming(
        district_named_on=date(2020, 1, 10), municipal_named_on=date(2021, 6, 30)
    )
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), utc(2024, 5, 10), imported)
    decide(state, MUNICIPAL_BUREAU, _municipal_finding(), utc(2024, 6, 1))
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 1, 10)


# who may report


def test_district_bureau_cannot_revoke_the_municipal_name() -> None:
    state = municipal_named()
    with pytest.raises(DecisionRefused, match="市级命名由市市场监管局认定"):
        decide(state, DISTRICT_BUREAU, _municipal_finding(), FOUND_AT)


def test_municipal_bureau_cannot_revoke_the_district_name() -> None:
    state = municipal_named()
    with pytest.raises(DecisionRefused, match="区级命名由区市场监管局认定"):
        decide(state, MUNICIPAL_BUREAU, _district_finding(), FOUND_AT)


def test_municipal_bureau_has_nothing_to_revoke_on_a_district_project() -> None:
    state = district_named()
    with pytest.raises(DecisionRefused, match="尚无市级命名"):
        decide(state, MUNICIPAL_BUREAU, _municipal_finding(), FOUND_AT)


def test_unit_cannot_report_a_violation() -> None:
    state = district_named()
    with pytest.raises(DecisionRefused, match="只能由"):
        decide(state, UNIT, _district_finding(), FOUND_AT)


def test_no_finding_after_the_process_ended() -> None:
    state = district_named()
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False), utc(2025, 6, 1))
    with pytest.raises(DecisionRefused, match="项目已结束（命名已取消）"):
        decide(state, DISTRICT_BUREAU, _district_finding(), FOUND_AT)


def test_finding_during_acceptance_drops_the_acceptance_task() -> None:
    state = in_acceptance()
    assert state.task(TaskKind.ACCEPTANCE) is not None
    decide(state, DISTRICT_BUREAU, _district_finding(), utc(2024, 5, 15))
    assert state.tasks == []
    with pytest.raises(DecisionRefused):
        decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 5, 16))
