"""What falls due with time: evaluations, rectification deadlines, reminders, escalations."""

from datetime import timedelta

from domain.actors import Role
from domain.decisions import (
    DecideAcceptance,
    EvaluateMunicipal,
    ReportRectification,
    RequestAcceptance,
    ReviewMunicipal,
    Withdraw,
)
from domain.policy import Policy
from domain.stages import Level, Stage
from domain.state import TaskKind
from domain.timers import SUPERVISOR, advance_time, next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    DISTRICT_RECIPIENT,
    FIRST_DISTRICT_EVALUATION,
    FIRST_MUNICIPAL_REVIEW,
    MUNICIPAL_BUREAU,
    MUNICIPAL_RECIPIENT,
    RECTIFICATION_DEADLINE,
    REQUESTED_AT,
    UNIT,
    UNIT_RECIPIENT,
    as_set,
    decide,
    district_named,
    in_acceptance,
    in_municipal_evaluation,
    in_rectification,
    make_state,
    municipal_named,
    municipal_review_open,
    notifications,
    recipient_set,
    recipients,
    scores,
    shanghai_midnight,
    utc,
)

SECOND = timedelta(seconds=1)
ACCEPTANCE_DUE = REQUESTED_AT + timedelta(days=30)
ACCEPTANCE_REMINDER = ACCEPTANCE_DUE - timedelta(days=7)


# decision due dates, reminders and escalations


def test_task_is_due_thirty_days_after_it_opens_with_a_reminder_seven_days_before() -> None:
    task = in_acceptance().task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.opened_at == REQUESTED_AT
    assert task.due_at == utc(2024, 6, 12, 2)
    assert task.reminder_at == utc(2024, 6, 5, 2)
    assert not task.reminded
    assert not task.escalated


def test_next_wakeup_is_the_reminder_then_the_due_date_then_nothing() -> None:
    state = in_acceptance()
    assert next_wakeup(state) == ACCEPTANCE_REMINDER
    advance_time(state, ACCEPTANCE_REMINDER)
    assert next_wakeup(state) == ACCEPTANCE_DUE
    advance_time(state, ACCEPTANCE_DUE)
    assert next_wakeup(state) is None


def test_nothing_fires_before_the_reminder() -> None:
    state = in_acceptance()
    before = state.model_dump()
    assert advance_time(state, ACCEPTANCE_REMINDER - SECOND) == []
    assert state.model_dump() == before


def test_reminder_fires_once_to_the_bureau_that_must_decide() -> None:
    state = in_acceptance()
    effects = advance_time(state, ACCEPTANCE_REMINDER)
    [notice] = notifications(effects)
    assert notice.recipients == [DISTRICT_RECIPIENT]
    assert notice.key.endswith("/reminder:acceptance")
    assert "2024-06-12" in notice.body
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.reminded
    assert not task.escalated
    assert advance_time(state, ACCEPTANCE_REMINDER) == []
    assert advance_time(state, ACCEPTANCE_DUE - SECOND) == []


def test_escalation_fires_once_to_the_municipal_bureau_for_a_district_task() -> None:
    state = in_acceptance()
    advance_time(state, ACCEPTANCE_REMINDER)
    effects = advance_time(state, ACCEPTANCE_DUE)
    [notice] = notifications(effects)
    assert notice.recipients == [MUNICIPAL_RECIPIENT]
    assert notice.key.endswith("/escalation:acceptance")
    assert "督办" in notice.subject
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.escalated
    assert advance_time(state, ACCEPTANCE_DUE + timedelta(days=365)) == []


def test_after_escalation_the_process_keeps_waiting_for_the_decision() -> None:
    state = in_acceptance()
    advance_time(state, ACCEPTANCE_DUE + timedelta(days=100))
    assert state.stage is Stage.ACCEPTANCE
    assert state.task(TaskKind.ACCEPTANCE) is not None
    decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), ACCEPTANCE_DUE + timedelta(100))
    assert state.level is Level.DISTRICT
    assert state.tasks == []


def test_late_wakeup_fires_reminder_then_escalation_in_order() -> None:
    state = in_acceptance()
    effects = advance_time(state, ACCEPTANCE_DUE + timedelta(days=5))
    keys = [n.key.rsplit("/", 1)[1] for n in notifications(effects)]
    assert keys == ["reminder:acceptance", "escalation:acceptance"]
    assert [h.at for h in state.history[-2:]] == [ACCEPTANCE_REMINDER, ACCEPTANCE_DUE]


def test_timer_events_are_recorded_in_history_at_their_own_moment() -> None:
    state = in_acceptance()
    advance_time(state, ACCEPTANCE_DUE)
    events = [(h.event, h.at, h.stage_after) for h in state.history[-2:]]
    assert events == [
        ("reminder:acceptance", ACCEPTANCE_REMINDER, Stage.ACCEPTANCE),
        ("escalation:acceptance", ACCEPTANCE_DUE, Stage.ACCEPTANCE),
    ]


def test_municipal_bureau_task_escalates_to_the_municipal_bureau() -> None:
    assert SUPERVISOR[Role.DISTRICT_BUREAU] is Role.MUNICIPAL_BUREAU
    assert SUPERVISOR[Role.MUNICIPAL_BUREAU] is Role.MUNICIPAL_BUREAU
    state = in_municipal_evaluation()
    task = state.task(TaskKind.MUNICIPAL_EVALUATION)
    assert task is not None
    effects = advance_time(state, task.due_at)
    assert [n.recipients for n in notifications(effects)] == [
        [MUNICIPAL_RECIPIENT],
        [MUNICIPAL_RECIPIENT],
    ]


def test_deciding_closes_the_task_and_its_pending_reminder() -> None:
    state = in_acceptance()
    decide(
        state, DISTRICT_BUREAU, DecideAcceptance(passed=False, note="资料不全"), utc(2024, 5, 20)
    )
    assert state.tasks == []
    assert next_wakeup(state) is None
    assert advance_time(state, ACCEPTANCE_DUE + timedelta(days=1)) == []


def test_no_reminder_when_the_reminder_would_precede_the_task() -> None:
    state = make_state(Policy(decision_due="P5D", decision_reminder_before="P7D"))
    decide(state, UNIT, RequestAcceptance(), REQUESTED_AT)
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.reminder_at is None
    assert next_wakeup(state) == REQUESTED_AT + timedelta(days=5)
    [notice] = notifications(advance_time(state, REQUESTED_AT + timedelta(days=5)))
    assert notice.key.endswith("/escalation:acceptance")


def test_compressed_policy_runs_on_exact_minutes() -> None:
    policy = Policy(decision_due="PT10M", decision_reminder_before="PT2M")
    state = make_state(policy)
    decide(state, UNIT, RequestAcceptance(), REQUESTED_AT)
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.due_at == REQUESTED_AT + timedelta(minutes=10)
    assert task.reminder_at == REQUESTED_AT + timedelta(minutes=8)


def test_ended_process_has_no_wakeup_and_nothing_fires() -> None:
    state = in_acceptance()
    decide(state, UNIT, Withdraw(reason="放弃"), utc(2024, 5, 14))
    assert next_wakeup(state) is None
    assert advance_time(state, utc(2030, 1, 1)) == []


# district evaluations


def test_district_evaluation_opens_on_its_date_for_the_district_bureau() -> None:
    state = district_named()
    assert advance_time(state, FIRST_DISTRICT_EVALUATION - SECOND) == []
    effects = advance_time(state, FIRST_DISTRICT_EVALUATION)
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.role is Role.DISTRICT_BUREAU
    assert task.opened_at == FIRST_DISTRICT_EVALUATION
    assert task.due_at == shanghai_midnight(2025, 6, 19)
    assert state.next_district_evaluation_at is None
    assert recipients(effects) == [DISTRICT_RECIPIENT]
    assert next_wakeup(state) == shanghai_midnight(2025, 6, 12)
    assert advance_time(state, FIRST_DISTRICT_EVALUATION) == []


def test_late_wakeup_opens_the_evaluation_on_its_due_date_then_reminds_and_escalates() -> None:
    state = district_named()
    effects = advance_time(state, utc(2025, 7, 1))
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.opened_at == FIRST_DISTRICT_EVALUATION
    tags = [n.key.rsplit("/", 1)[1] for n in notifications(effects)]
    assert tags == ["task", "reminder:district_evaluation", "escalation:district_evaluation"]
    assert notifications(effects)[-1].recipients == [MUNICIPAL_RECIPIENT]


def test_district_evaluations_pause_while_municipal() -> None:
    state = municipal_named()
    assert advance_time(state, FIRST_MUNICIPAL_REVIEW - SECOND) == []
    assert state.tasks == []
    assert next_wakeup(state) == FIRST_MUNICIPAL_REVIEW


# municipal reviews


def test_municipal_review_opens_on_the_three_year_date_for_the_municipal_bureau() -> None:
    state = municipal_named()
    effects = advance_time(state, FIRST_MUNICIPAL_REVIEW)
    task = state.task(TaskKind.MUNICIPAL_REVIEW)
    assert task is not None
    assert task.role is Role.MUNICIPAL_BUREAU
    assert task.opened_at == FIRST_MUNICIPAL_REVIEW
    assert recipients(effects) == [MUNICIPAL_RECIPIENT]
    assert state.next_municipal_review_at is None


def test_second_review_opens_six_years_after_naming() -> None:
    state = municipal_review_open()
    decide(state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2027, 7, 5))
    assert next_wakeup(state) == shanghai_midnight(2030, 7, 1)
    advance_time(state, shanghai_midnight(2030, 7, 1))
    task = state.task(TaskKind.MUNICIPAL_REVIEW)
    assert task is not None
    assert task.opened_at == shanghai_midnight(2030, 7, 1)


def test_naming_on_a_leap_day_reviews_on_february_28_then_29() -> None:
    state = in_municipal_evaluation()
    decide(
        state,
        MUNICIPAL_BUREAU,
        EvaluateMunicipal(passed=True, scores=scores()),
        utc(2028, 2, 29, 2),
    )
    assert state.next_municipal_review_at == shanghai_midnight(2031, 2, 28)
    advance_time(state, shanghai_midnight(2031, 2, 28))
    decide(state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2031, 3, 5))
    assert state.next_municipal_review_at == shanghai_midnight(2034, 2, 28)
    advance_time(state, shanghai_midnight(2034, 2, 28))
    decide(state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2034, 3, 5))
    assert state.next_municipal_review_at == shanghai_midnight(2037, 2, 28)
    advance_time(state, shanghai_midnight(2037, 2, 28))
    decide(state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2037, 3, 5))
    assert state.next_municipal_review_at == shanghai_midnight(2040, 2, 29)


# rectification


def test_rectification_wakes_for_each_reminder_then_the_deadline() -> None:
    state = in_rectification()
    first = RECTIFICATION_DEADLINE - timedelta(days=30)
    second = RECTIFICATION_DEADLINE - timedelta(days=7)
    assert next_wakeup(state) == first
    assert advance_time(state, first - SECOND) == []
    effects = advance_time(state, first)
    [notice] = notifications(effects)
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, MUNICIPAL_RECIPIENT)
    assert "2028-01-15" in notice.body
    assert advance_time(state, first) == []
    assert next_wakeup(state) == second
    assert len(notifications(advance_time(state, second))) == 1
    assert next_wakeup(state) == RECTIFICATION_DEADLINE


def test_rectification_deadline_opens_the_review_for_the_municipal_bureau() -> None:
    state = in_rectification()
    advance_time(state, RECTIFICATION_DEADLINE - SECOND)
    assert state.task(TaskKind.RECTIFICATION_REVIEW) is None
    effects = advance_time(state, RECTIFICATION_DEADLINE)
    task = state.task(TaskKind.RECTIFICATION_REVIEW)
    assert task is not None
    assert task.role is Role.MUNICIPAL_BUREAU
    assert task.opened_at == RECTIFICATION_DEADLINE
    assert task.due_at == RECTIFICATION_DEADLINE + timedelta(days=30)
    assert recipients(effects) == [MUNICIPAL_RECIPIENT]
    assert state.stage is Stage.RECTIFICATION
    assert next_wakeup(state) == task.reminder_at
    assert state.next_deadline == task.due_at


def test_rectification_reminders_already_past_are_dropped() -> None:
    policy = Policy(rectification_period="P20D")
    state = in_rectification(policy)
    deadline = utc(2027, 8, 4, 2)
    assert state.rectification_deadline == deadline
    assert state.rectification_reminders == [deadline - timedelta(days=7)]


def test_a_reported_rectification_still_waits_for_the_deadline_timer() -> None:
    state = in_rectification()
    decide(state, UNIT, ReportRectification(report="整改完成"), utc(2027, 9, 1))
    advance_time(state, RECTIFICATION_DEADLINE)
    assert state.task(TaskKind.RECTIFICATION_REVIEW) is not None


def test_all_timer_notification_keys_are_unique() -> None:
    state = in_rectification()
    effects = advance_time(state, RECTIFICATION_DEADLINE + timedelta(days=60))
    keys = [n.key for n in notifications(effects)]
    assert len(keys) == 5  # two reminders, the review task, its reminder and escalation
    assert len(keys) == len(set(keys))
