"""Every decision row of docs/regulation.md, driven through `apply_decision` and `advance_time`."""

from collections.abc import Callable
from datetime import date, timedelta

from domain.actors import Role
from domain.decisions import (
    ApplyMunicipal,
    DecideAcceptance,
    EvaluateDistrict,
    EvaluateMunicipal,
    RecommendMunicipal,
    ReportRectification,
    RequestAcceptance,
    ReviewMunicipal,
    ReviewRectification,
    Withdraw,
)
from domain.effects import Effect, RecordDecision
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.stages import Level, Stage
from domain.state import ProjectState, TaskKind
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    ACCEPTED_AT,
    APPLIED_AT,
    DISTRICT_BUREAU,
    DISTRICT_NAME,
    DISTRICT_RECIPIENT,
    FIRST_DISTRICT_EVALUATION,
    FIRST_MUNICIPAL_REVIEW,
    MUNICIPAL_BUREAU,
    MUNICIPAL_NAME,
    MUNICIPAL_NAMED_AT,
    MUNICIPAL_RECIPIENT,
    OPERATOR,
    PROJECT_ID,
    RECOMMENDED_AT,
    RECTIFICATION_DEADLINE,
    REGISTERED_AT,
    REQUESTED_AT,
    REVIEW_FAILED_AT,
    UNIT,
    UNIT_RECIPIENT,
    all_conditions,
    as_set,
    assert_names_only_appended,
    decide,
    district_named,
    endings,
    grants,
    in_acceptance,
    in_municipal_evaluation,
    in_municipal_recommendation,
    in_rectification,
    make_spec,
    make_state,
    municipal_named,
    municipal_review_open,
    notifications,
    recipient_set,
    recipients,
    records,
    scores,
    shanghai_midnight,
    utc,
)


def _district_evaluation_open(policy: Policy | None = None) -> ProjectState:
    state = district_named(policy)
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    return state


# registration


def test_registered_project_is_building_without_names_or_effects() -> None:
    state, effects = new_state(PROJECT_ID, make_spec(), Policy(), REGISTERED_AT)
    assert state.stage is Stage.BUILDING
    assert state.level is Level.NONE
    assert state.names == []
    assert state.tasks == []
    assert effects == []
    assert [h.event for h in state.history] == ["register"]
    assert state.display_name == DISTRICT_NAME
    assert next_wakeup(state) is None


# building → acceptance


def test_request_acceptance_opens_the_district_bureau_task_and_notifies_it() -> None:
    state = make_state()
    effects = decide(state, UNIT, RequestAcceptance(), REQUESTED_AT)
    assert state.stage is Stage.ACCEPTANCE
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.role is Role.DISTRICT_BUREAU
    assert task.opened_at == REQUESTED_AT
    assert task.due_at == REQUESTED_AT + timedelta(days=30)
    assert recipients(effects) == [DISTRICT_RECIPIENT]
    assert "2024-06-12" in notifications(effects)[0].body


def test_every_decision_is_recorded_first_with_its_actor_and_stages() -> None:
    state = make_state()
    effects = decide(state, UNIT, RequestAcceptance(note="材料已齐"), REQUESTED_AT)
    assert isinstance(effects[0], RecordDecision)
    entry = effects[0].entry
    assert entry.actor == UNIT
    assert entry.event == "request-acceptance"
    assert entry.at == REQUESTED_AT
    assert entry.stage_before is Stage.BUILDING
    assert entry.stage_after is Stage.ACCEPTANCE
    assert entry.payload == {"note": "材料已齐"}
    assert state.history[-1] == entry
    assert len(records(effects)) == 1


def test_operator_may_request_acceptance() -> None:
    state = make_state()
    decide(state, OPERATOR, RequestAcceptance(), REQUESTED_AT)
    assert state.stage is Stage.ACCEPTANCE


# acceptance → district_named / building


def test_acceptance_passed_grants_the_district_name_and_notifies_the_unit() -> None:
    state = in_acceptance()
    effects = decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), ACCEPTED_AT)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    [grant] = grants(effects)
    assert grant.name.name == DISTRICT_NAME
    assert grant.name.level is Level.DISTRICT
    assert grant.name.granted_by is Role.DISTRICT_BUREAU
    assert grant.name.granted_at == ACCEPTED_AT
    assert grant.name.granted_on == date(2024, 5, 20)
    assert grant.name.ending is None
    assert state.names == [grant.name]
    assert state.district_named_on == date(2024, 5, 20)
    assert state.tasks == []
    assert recipients(effects) == [UNIT_RECIPIENT]
    assert DISTRICT_NAME in notifications(effects)[0].body


def test_acceptance_passed_schedules_the_first_district_evaluation_a_year_later() -> None:
    state = district_named()
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 5, 20)
    assert next_wakeup(state) == FIRST_DISTRICT_EVALUATION


def test_acceptance_shortly_after_utc_midnight_is_named_on_the_shanghai_date() -> None:
    state = in_acceptance()
    decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 5, 19, 16, 30))
    assert state.names[0].granted_on == date(2024, 5, 20)
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 5, 20)


def test_acceptance_failed_returns_to_building_and_notifies_the_unit() -> None:
    state = in_acceptance()
    effects = decide(
        state, DISTRICT_BUREAU, DecideAcceptance(passed=False, note="场地不足"), ACCEPTED_AT
    )
    assert state.stage is Stage.BUILDING
    assert state.names == []
    assert state.tasks == []
    assert grants(effects) == []
    assert recipients(effects) == [UNIT_RECIPIENT]
    assert notifications(effects)[0].body == "场地不足"
    decide(state, UNIT, RequestAcceptance(), ACCEPTED_AT + timedelta(days=1))
    assert state.task(TaskKind.ACCEPTANCE) is not None


# withdraw


def test_withdraw_from_building_ends_the_process() -> None:
    state = make_state()
    effects = decide(state, UNIT, Withdraw(reason="不再建设"), REQUESTED_AT)
    assert state.stage is Stage.WITHDRAWN
    assert state.stage.is_end
    assert recipients(effects) == [DISTRICT_RECIPIENT]
    assert records(effects)[0].entry.payload["reason"] == "不再建设"
    assert next_wakeup(state) is None


def test_withdraw_during_acceptance_drops_the_pending_task() -> None:
    state = in_acceptance()
    decide(state, UNIT, Withdraw(reason="暂缓"), ACCEPTED_AT)
    assert state.stage is Stage.WITHDRAWN
    assert state.tasks == []
    assert state.names == []
    assert next_wakeup(state) is None


# district evaluation


def test_district_evaluation_kept_schedules_the_next_one_interval_after_the_due_date() -> None:
    state = _district_evaluation_open()
    decided_at = utc(2025, 6, 10, 2)
    effects = decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), decided_at)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.task(TaskKind.DISTRICT_EVALUATION) is None
    assert state.next_district_evaluation_at == shanghai_midnight(2026, 5, 20)
    assert state.names[0].active
    assert endings(effects) == []
    assert recipients(effects) == [UNIT_RECIPIENT]
    assert "2026-05-20" in notifications(effects)[0].body


def test_district_evaluation_not_met_cancels_the_district_name() -> None:
    state = _district_evaluation_open()
    decided_at = utc(2025, 6, 10, 2)
    effects = decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False), decided_at)
    assert state.stage is Stage.CANCELLED
    assert state.level is Level.NONE
    [end] = endings(effects)
    ending = state.names[0].ending
    assert ending is not None
    assert end.name_key == state.names[0].key
    assert end.ending == ending
    assert ending.kind == "cancelled"
    assert ending.by is Role.DISTRICT_BUREAU
    assert ending.at == decided_at
    assert ending.on == date(2025, 6, 10)
    assert "第九条" in ending.reason
    assert state.tasks == []
    assert state.next_district_evaluation_at is None
    assert next_wakeup(state) is None
    assert recipients(effects) == [UNIT_RECIPIENT, MUNICIPAL_RECIPIENT]


def test_district_evaluation_uses_the_per_district_interval() -> None:
    policy = Policy(district_evaluation_intervals={"310115": "P6M"})
    state = district_named(policy)
    assert state.next_district_evaluation_at == shanghai_midnight(2024, 11, 20)
    advance_time(state, shanghai_midnight(2024, 11, 20))
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2024, 12, 1))
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 5, 20)


def test_another_districts_interval_does_not_apply() -> None:
    policy = Policy(district_evaluation_intervals={"310101": "P6M"})
    assert district_named(policy).next_district_evaluation_at == shanghai_midnight(2025, 5, 20)


# municipal application, recommendation, evaluation


def test_apply_municipal_opens_the_recommendation_task_and_notifies_the_district_bureau() -> None:
    state = district_named()
    effects = decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), APPLIED_AT)
    assert state.stage is Stage.MUNICIPAL_RECOMMENDATION
    task = state.task(TaskKind.MUNICIPAL_RECOMMENDATION)
    assert task is not None
    assert task.role is Role.DISTRICT_BUREAU
    assert task.due_at == APPLIED_AT + timedelta(days=30)
    assert recipients(effects) == [DISTRICT_RECIPIENT]
    assert records(effects)[0].entry.payload["conditions"]["governance"] is True


def test_recommend_municipal_opens_the_municipal_evaluation_and_notifies_the_bureau() -> None:
    state = in_municipal_recommendation()
    effects = decide(state, DISTRICT_BUREAU, RecommendMunicipal(recommend=True), RECOMMENDED_AT)
    assert state.stage is Stage.MUNICIPAL_EVALUATION
    assert state.task(TaskKind.MUNICIPAL_RECOMMENDATION) is None
    task = state.task(TaskKind.MUNICIPAL_EVALUATION)
    assert task is not None
    assert task.role is Role.MUNICIPAL_BUREAU
    assert MUNICIPAL_RECIPIENT in recipients(effects)
    assert UNIT_RECIPIENT in recipients(effects)


def test_decline_municipal_returns_to_district_named_and_notifies_the_unit() -> None:
    state = in_municipal_recommendation()
    effects = decide(state, DISTRICT_BUREAU, RecommendMunicipal(recommend=False), RECOMMENDED_AT)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.tasks == []
    assert recipients(effects) == [UNIT_RECIPIENT]
    assert state.next_district_evaluation_at == FIRST_DISTRICT_EVALUATION


def test_municipal_evaluation_passed_grants_the_municipal_name() -> None:
    state = in_municipal_evaluation()
    effects = decide(
        state, MUNICIPAL_BUREAU, EvaluateMunicipal(passed=True, scores=scores()), MUNICIPAL_NAMED_AT
    )
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.level is Level.MUNICIPAL
    assert state.display_name == MUNICIPAL_NAME
    [grant] = grants(effects)
    assert grant.name.name == MUNICIPAL_NAME
    assert grant.name.level is Level.MUNICIPAL
    assert grant.name.granted_by is Role.MUNICIPAL_BUREAU
    assert grant.name.granted_on == date(2024, 7, 1)
    assert state.municipal_named_on == date(2024, 7, 1)
    district = state.active_name(Level.DISTRICT)
    assert district is not None
    assert district.name == DISTRICT_NAME
    assert state.tasks == []
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, DISTRICT_RECIPIENT)


def test_municipal_naming_schedules_the_review_three_years_later_and_pauses_district_ones() -> None:
    state = municipal_named()
    assert state.next_municipal_review_at == FIRST_MUNICIPAL_REVIEW
    assert state.next_district_evaluation_at is None
    assert next_wakeup(state) == FIRST_MUNICIPAL_REVIEW


def test_municipal_evaluation_failed_stays_a_district_project() -> None:
    state = in_municipal_evaluation()
    effects = decide(
        state,
        MUNICIPAL_BUREAU,
        EvaluateMunicipal(passed=False, scores=scores(50), note="服务能力不足"),
        MUNICIPAL_NAMED_AT,
    )
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    assert len(state.names) == 1
    assert grants(effects) == []
    assert state.tasks == []
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, DISTRICT_RECIPIENT)
    assert state.next_district_evaluation_at == FIRST_DISTRICT_EVALUATION


def test_municipal_evaluation_failed_without_a_note_still_tells_the_unit_why() -> None:
    state = in_municipal_evaluation()
    effects = decide(
        state,
        MUNICIPAL_BUREAU,
        EvaluateMunicipal(passed=False, scores=scores(50)),
        MUNICIPAL_NAMED_AT,
    )
    [notice] = notifications(effects)
    assert notice.body.strip() != ""


def test_district_evaluation_continues_during_a_municipal_application() -> None:
    state = district_named()
    decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), APPLIED_AT)
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    assert state.task(TaskKind.DISTRICT_EVALUATION) is not None
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2025, 5, 25))
    assert state.stage is Stage.MUNICIPAL_RECOMMENDATION
    assert state.next_district_evaluation_at == shanghai_midnight(2026, 5, 20)


def test_municipal_naming_closes_an_open_district_evaluation() -> None:
    state = district_named()
    decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), APPLIED_AT)
    decide(state, DISTRICT_BUREAU, RecommendMunicipal(recommend=True), RECOMMENDED_AT)
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    assert state.task(TaskKind.DISTRICT_EVALUATION) is not None
    decide(
        state, MUNICIPAL_BUREAU, EvaluateMunicipal(passed=True, scores=scores()), utc(2025, 6, 1)
    )
    assert state.task(TaskKind.DISTRICT_EVALUATION) is None
    assert state.next_district_evaluation_at is None


# 3-year review


def test_three_year_review_passed_schedules_the_next_three_years_after_the_first_due_date() -> None:
    state = municipal_review_open()
    effects = decide(
        state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2027, 7, 20)
    )
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.task(TaskKind.MUNICIPAL_REVIEW) is None
    assert state.next_municipal_review_at == shanghai_midnight(2030, 7, 1)
    assert recipients(effects) == [UNIT_RECIPIENT]
    assert grants(effects) == []
    assert endings(effects) == []


def test_three_year_review_failed_opens_a_six_month_rectification() -> None:
    state = municipal_review_open()
    effects = decide(
        state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=scores(40)), REVIEW_FAILED_AT
    )
    assert state.stage is Stage.RECTIFICATION
    assert state.level is Level.MUNICIPAL
    assert state.rectification_deadline == RECTIFICATION_DEADLINE
    assert state.rectification_reminders == [
        RECTIFICATION_DEADLINE - timedelta(days=30),
        RECTIFICATION_DEADLINE - timedelta(days=7),
    ]
    assert state.next_municipal_review_at is None
    assert state.tasks == []
    assert not state.rectification_reported
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, DISTRICT_RECIPIENT)
    assert "2028-01-15" in notifications(effects)[0].body


def test_rectification_report_notifies_the_municipal_bureau() -> None:
    state = in_rectification()
    effects = decide(state, UNIT, ReportRectification(report="已完成整改"), utc(2027, 9, 1))
    assert state.stage is Stage.RECTIFICATION
    assert state.rectification_reported
    assert recipients(effects) == [MUNICIPAL_RECIPIENT]
    assert notifications(effects)[0].body == "已完成整改"


def test_early_rectification_review_passed_keeps_the_three_year_anchor() -> None:
    state = in_rectification()
    decide(state, UNIT, ReportRectification(report="已完成整改"), utc(2027, 9, 1))
    effects = decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=True), utc(2027, 9, 10))
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.next_municipal_review_at == shanghai_midnight(2030, 7, 1)
    assert state.rectification_deadline is None
    assert state.rectification_reminders == []
    assert not state.rectification_reported
    assert next_wakeup(state) == shanghai_midnight(2030, 7, 1)
    assert endings(effects) == []


def test_rectification_review_after_the_deadline_passed_keeps_the_three_year_anchor() -> None:
    state = in_rectification()
    advance_time(state, RECTIFICATION_DEADLINE)
    assert state.task(TaskKind.RECTIFICATION_REVIEW) is not None
    decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=True), utc(2028, 1, 20))
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.tasks == []
    assert state.next_municipal_review_at == shanghai_midnight(2030, 7, 1)


def test_rectification_review_failed_cancels_the_municipal_name_only() -> None:
    state = in_rectification()
    advance_time(state, RECTIFICATION_DEADLINE)
    decided_at = utc(2028, 1, 20, 2)
    effects = decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=False), decided_at)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    municipal = next(n for n in state.names if n.level is Level.MUNICIPAL)
    assert municipal.ending is not None
    assert municipal.ending.kind == "cancelled"
    assert municipal.ending.by is Role.MUNICIPAL_BUREAU
    assert municipal.ending.on == date(2028, 1, 20)
    assert state.active_name(Level.DISTRICT) is not None
    [end] = endings(effects)
    assert end.name_key == municipal.key
    assert state.tasks == []
    assert state.rectification_deadline is None
    assert state.next_municipal_review_at is None
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, DISTRICT_RECIPIENT)


def test_after_a_failed_rectification_district_evaluations_resume_on_their_anchor() -> None:
    state = in_rectification()
    advance_time(state, RECTIFICATION_DEADLINE)
    decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=False), utc(2028, 1, 20, 2))
    assert state.next_district_evaluation_at == shanghai_midnight(2028, 5, 20)
    advance_time(state, shanghai_midnight(2028, 5, 20))
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.opened_at == shanghai_midnight(2028, 5, 20)


def test_after_a_failed_rectification_the_unit_may_apply_again() -> None:
    state = in_rectification()
    advance_time(state, RECTIFICATION_DEADLINE)
    decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=False), utc(2028, 1, 20, 2))
    decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), utc(2028, 3, 1))
    assert state.stage is Stage.MUNICIPAL_RECOMMENDATION


# the register and the whole journey


def test_names_are_only_ever_appended_or_ended_along_a_whole_journey() -> None:
    state = make_state()
    keys: list[str] = []
    steps: list[Callable[[], list[Effect]]] = [
        lambda: decide(state, UNIT, RequestAcceptance(), REQUESTED_AT),
        lambda: decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), ACCEPTED_AT),
        lambda: decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), APPLIED_AT),
        lambda: decide(state, DISTRICT_BUREAU, RecommendMunicipal(recommend=True), RECOMMENDED_AT),
        lambda: decide(
            state,
            MUNICIPAL_BUREAU,
            EvaluateMunicipal(passed=True, scores=scores()),
            MUNICIPAL_NAMED_AT,
        ),
        lambda: advance_time(state, FIRST_MUNICIPAL_REVIEW),
        lambda: decide(
            state,
            MUNICIPAL_BUREAU,
            ReviewMunicipal(passed=False, scores=scores(40)),
            REVIEW_FAILED_AT,
        ),
        lambda: advance_time(state, RECTIFICATION_DEADLINE + timedelta(days=40)),
        lambda: decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=False), utc(2028, 3, 1)),
        lambda: advance_time(state, shanghai_midnight(2028, 5, 20)),
        lambda: decide(
            state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False), utc(2028, 6, 1)
        ),
    ]
    for step in steps:
        before = [n.model_copy(deep=True) for n in state.names]
        effects = step()
        assert_names_only_appended(before, state.names)
        keys += [n.key for n in notifications(effects)]
    assert state.stage is Stage.CANCELLED
    assert [(n.level, n.ending and n.ending.kind) for n in state.names] == [
        (Level.DISTRICT, "cancelled"),
        (Level.MUNICIPAL, "cancelled"),
    ]
    assert len(keys) == len(set(keys)), "notification keys must be unique (idempotent sends)"


def test_state_survives_a_json_round_trip() -> None:
    state = in_rectification()
    decide(state, UNIT, ReportRectification(report="已完成整改"), utc(2027, 9, 1))
    copy = ProjectState.model_validate(state.model_dump(mode="json"))
    assert copy == state
    assert next_wakeup(copy) == next_wakeup(state)


def test_next_deadline_is_the_earliest_due_moment() -> None:
    state = in_acceptance()
    assert state.next_deadline == REQUESTED_AT + timedelta(days=30)
    assert district_named().next_deadline == FIRST_DISTRICT_EVALUATION
    assert in_rectification().next_deadline == RECTIFICATION_DEADLINE
