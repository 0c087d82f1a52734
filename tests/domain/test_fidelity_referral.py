"""谁命名谁撤消 (Art. 10, docs/regulation.md, rules 2): a district finding after municipal naming
revokes the district name only and refers the municipal one to the municipal bureau."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain.actors import Role
from domain.decisions import (
    Action,
    Finding,
    KeepMunicipalName,
    ReportViolation,
    ReviewMunicipal,
    ReviewRectification,
)
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.rules import DecisionRefused, allowed_actions
from domain.stages import Level, Stage
from domain.state import RULES, ProjectState, TaskKind
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    FIRST_MUNICIPAL_REVIEW,
    MUNICIPAL_BUREAU,
    MUNICIPAL_RECIPIENT,
    PROJECT_ID,
    RECTIFICATION_DEADLINE,
    REGISTERED_AT,
    UNIT_RECIPIENT,
    as_set,
    decide,
    endings,
    in_rectification,
    make_spec,
    municipal_named,
    notifications,
    recipient_set,
    scores,
    utc,
)

FOUND_AT = utc(2026, 3, 2, 2)  # 2026-03-02 10:00 in Shanghai
DUE_AT = utc(2026, 4, 1, 2)  # + 30 days
REMINDER_AT = utc(2026, 3, 25, 2)  # 7 days before
NOTE = "验收材料中的场地证明系伪造"


def district_finding(note: str | None = NOTE) -> ReportViolation:
    return ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL, note=note)


def municipal_finding(note: str | None = "市级评估材料同样不实") -> ReportViolation:
    return ReportViolation(scope="municipal", finding=Finding.FALSE_DATA, note=note)


def referred() -> ProjectState:
    state = municipal_named()
    decide(state, DISTRICT_BUREAU, district_finding(), FOUND_AT)
    return state


def test_a_new_process_follows_the_latest_rules() -> None:
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), REGISTERED_AT)
    assert state.rules == RULES == 4


def test_the_district_bureau_revokes_only_its_name_and_refers_the_municipal_one() -> None:
    state = municipal_named()
    effects = decide(state, DISTRICT_BUREAU, district_finding(), FOUND_AT)
    district, municipal = state.names
    assert district.ending is not None
    assert (district.ending.kind, district.ending.by) == ("revoked", Role.DISTRICT_BUREAU)
    assert municipal.active
    assert [e.name_key for e in endings(effects)] == [district.key]
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.level is Level.MUNICIPAL
    assert state.display_name == municipal.name
    task = state.task(TaskKind.VIOLATION_REFERRAL)
    assert task is not None
    assert (task.action, task.role) == (Action.KEEP_MUNICIPAL_NAME, Role.MUNICIPAL_BUREAU)
    assert (task.opened_at, task.due_at, task.reminder_at) == (FOUND_AT, DUE_AT, REMINDER_AT)
    # The 3-year cadence stands; district evaluations stay paused.
    assert state.next_municipal_review_at == FIRST_MUNICIPAL_REVIEW
    assert state.next_district_evaluation_at is None
    assert recipient_set(effects) == as_set(MUNICIPAL_RECIPIENT, UNIT_RECIPIENT)
    referral = next(n for n in notifications(effects) if n.recipients == [MUNICIPAL_RECIPIENT])
    assert NOTE in referral.body
    assert "2026-04-01" in referral.body
    assert state.history[-1].summary == (
        "撤消区级命名：提供虚假材料（第十条）；市级命名移送市市场监管局决定"
    )


def test_the_referral_is_reminded_then_escalated_on_its_dates() -> None:
    state = referred()
    assert next_wakeup(state) == REMINDER_AT
    advance_time(state, REMINDER_AT)
    assert state.history[-1].event == "reminder:violation_referral"
    assert next_wakeup(state) == DUE_AT
    effects = advance_time(state, DUE_AT)
    assert state.history[-1].event == "escalation:violation_referral"
    assert recipient_set(effects) == as_set(MUNICIPAL_RECIPIENT)
    # The process keeps waiting for the answer.
    assert state.task(TaskKind.VIOLATION_REFERRAL) is not None
    assert next_wakeup(state) == FIRST_MUNICIPAL_REVIEW


def test_the_municipal_bureau_revokes_its_name_and_no_name_is_left() -> None:
    state = referred()
    assert Action.KEEP_MUNICIPAL_NAME in allowed_actions(state, MUNICIPAL_BUREAU)
    effects = decide(state, MUNICIPAL_BUREAU, municipal_finding(), FOUND_AT + timedelta(days=9))
    municipal = state.names[1]
    assert municipal.ending is not None
    assert (municipal.ending.kind, municipal.ending.by) == ("revoked", Role.MUNICIPAL_BUREAU)
    assert [e.name_key for e in endings(effects)] == [municipal.key]
    assert state.stage is Stage.REVOKED
    assert state.level is Level.NONE
    assert state.tasks == []
    assert next_wakeup(state) is None
    assert state.history[-1].summary == (
        "撤消市级命名（答复区局移送）：提供不实数据（第十条）；已无命名，项目终止"
    )


def test_the_municipal_bureau_keeps_its_name_with_a_reason() -> None:
    state = referred()
    reason = "所涉材料仅用于区级验收，市级评估材料经核查属实"
    effects = decide(state, MUNICIPAL_BUREAU, KeepMunicipalName(reason=reason), utc(2026, 3, 20))
    assert state.task(TaskKind.VIOLATION_REFERRAL) is None
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.names[1].active
    assert endings(effects) == []
    entry = state.history[-1]
    assert (entry.event, entry.summary) == ("keep-municipal-name", f"保留市级命名：{reason}")
    assert entry.payload["reason"] == reason
    assert next_wakeup(state) == FIRST_MUNICIPAL_REVIEW
    # Answered: there is nothing left to keep.
    assert Action.KEEP_MUNICIPAL_NAME not in allowed_actions(state, MUNICIPAL_BUREAU)
    with pytest.raises(DecisionRefused, match="没有区市场监管局移送的违规认定待处理"):
        decide(state, MUNICIPAL_BUREAU, KeepMunicipalName(reason=reason), utc(2026, 3, 21))


def test_keeping_needs_a_reason() -> None:
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            KeepMunicipalName(reason=reason)


def test_keeping_needs_a_referral_and_the_municipal_bureau() -> None:
    state = municipal_named()
    with pytest.raises(DecisionRefused, match="没有区市场监管局移送的违规认定待处理"):
        decide(state, MUNICIPAL_BUREAU, KeepMunicipalName(reason="保留"), FOUND_AT)
    state = referred()
    with pytest.raises(DecisionRefused, match="只能由市市场监管局作出"):
        decide(state, DISTRICT_BUREAU, KeepMunicipalName(reason="保留"), FOUND_AT)


def test_the_district_bureau_has_nothing_left_to_revoke() -> None:
    state = referred()
    with pytest.raises(DecisionRefused, match="区级命名已撤消，区市场监管局没有可撤消的命名"):
        decide(state, DISTRICT_BUREAU, district_finding(), FOUND_AT + timedelta(days=1))
    assert Action.REPORT_VIOLATION not in allowed_actions(state, DISTRICT_BUREAU)


@pytest.mark.parametrize("note", [None, "", "   "])
def test_a_finding_without_what_was_found_is_refused(note: str | None) -> None:
    state = municipal_named()
    for actor, finding in (
        (DISTRICT_BUREAU, district_finding(note)),
        (MUNICIPAL_BUREAU, municipal_finding(note)),
    ):
        with pytest.raises(DecisionRefused, match="违规认定须在 note 中写明查明的事实（第十条）"):
            decide(state, actor, finding, FOUND_AT)
    assert all(n.active for n in state.names)


def test_a_municipal_name_standing_alone_ends_cancelled_when_rectification_fails() -> None:
    state = referred()
    decide(state, MUNICIPAL_BUREAU, KeepMunicipalName(reason="市级材料属实"), utc(2026, 3, 10))
    advance_time(state, FIRST_MUNICIPAL_REVIEW)
    decide(
        state,
        MUNICIPAL_BUREAU,
        ReviewMunicipal(passed=False, scores=scores(40)),
        utc(2027, 7, 15, 2),
    )
    assert state.stage.value == "rectification"
    advance_time(state, RECTIFICATION_DEADLINE)
    decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=False), utc(2028, 1, 20))
    assert state.stage is Stage.CANCELLED
    assert state.level is Level.NONE
    assert state.names[1].ending is not None
    assert state.names[1].ending.kind == "cancelled"
    assert state.next_district_evaluation_at is None
    assert next_wakeup(state) is None
    assert state.history[-1].summary.endswith("已无命名，项目终止")


def test_a_referral_during_rectification_keeps_the_rectification() -> None:
    state = in_rectification()
    decide(state, DISTRICT_BUREAU, district_finding(), utc(2027, 9, 1, 2))
    assert state.stage.value == "rectification"
    assert state.rectification_deadline == RECTIFICATION_DEADLINE
    assert state.task(TaskKind.VIOLATION_REFERRAL) is not None
    decide(state, MUNICIPAL_BUREAU, municipal_finding(), utc(2027, 9, 10, 2))
    assert state.stage is Stage.REVOKED
    assert state.rectification_deadline is None


def test_on_the_first_rules_a_district_finding_ends_both_names() -> None:
    state = municipal_named()
    state.rules = 1
    effects = decide(state, DISTRICT_BUREAU, district_finding(), FOUND_AT)
    assert state.stage is Stage.REVOKED
    assert len(endings(effects)) == 2
    assert state.tasks == []
