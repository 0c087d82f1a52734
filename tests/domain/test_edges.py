"""Edges of the rules, durations and timers that the other domain tests left open.

Each was found by mutation testing (docs/testing.md): a changed comparison, bound or text that
no test noticed. The tests state the behaviour, not the implementation.
"""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from domain import durations
from domain.actors import Actor
from domain.decisions import (
    ApplyMunicipal,
    Decision,
    EvaluateDistrict,
    Finding,
    MunicipalConditions,
    ReportRectification,
    ReportViolation,
    ReviewMunicipal,
    ReviewRectification,
    Withdraw,
)
from domain.durations import DurationError, add_duration, next_after, start_of_day
from domain.policy import Policy
from domain.rules import DecisionRefused
from domain.stages import Stage
from domain.state import ProjectState, TaskKind
from domain.timers import advance_time
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    FIRST_DISTRICT_EVALUATION,
    FIRST_MUNICIPAL_REVIEW,
    MUNICIPAL_BUREAU,
    OTHER_UNIT,
    RECTIFICATION_DEADLINE,
    REQUESTED_AT,
    REVIEW_FAILED_AT,
    UNIT,
    all_conditions,
    decide,
    district_named,
    in_acceptance,
    in_rectification,
    make_state,
    municipal_review_open,
    notifications,
    scores,
    shanghai_midnight,
    utc,
)

# refusals, word for word (the part after "。" lists what is possible now)


def _refusal(state: ProjectState, decision: Decision, actor: Actor = UNIT) -> str:
    with pytest.raises(DecisionRefused) as refused:
        decide(state, actor, decision, REQUESTED_AT)
    return refused.value.message


def test_a_decision_two_roles_may_take_names_both() -> None:
    decision = ReportViolation(scope="district", finding=Finding.FALSE_DATA)
    assert _refusal(make_state(), decision) == (
        "“违规认定（第十条）”只能由区市场监管局或市市场监管局作出，当前身份为实施单位。"
        "当前可执行：平台运营方：申请验收（request-acceptance）、更新项目资料（update-profile）；"
        "实施单位：申请验收（request-acceptance）、撤回申请（withdraw）、更新项目资料（update-profile）；"
        "区市场监管局：违规认定（第十条）（report-violation）"
    )


def test_another_unit_is_told_it_may_only_handle_its_own_projects() -> None:
    assert _refusal(in_acceptance(), Withdraw(reason="撤回"), OTHER_UNIT) == (
        "实施单位只能处理本单位的项目。"
        "当前可执行：平台运营方：更新项目资料（update-profile）；"
        "实施单位：撤回申请（withdraw）、更新项目资料（update-profile）；"
        "区市场监管局：验收结论（decide-acceptance）、违规认定（第十条）（report-violation）"
    )


def test_an_early_rectification_review_without_a_report_says_why() -> None:
    decision = ReviewRectification(passed=True)
    assert _refusal(in_rectification(), decision, MUNICIPAL_BUREAU) == (
        "整改期未届满且实施单位尚未提交整改报告，暂不能复评。"
        "当前可执行：平台运营方：更新项目资料（update-profile）；"
        "实施单位：提交整改报告（report-rectification）、更新项目资料（update-profile）、"
        "报送年度数据（submit-data）；"
        "区市场监管局：违规认定（第十条）（report-violation）；"
        "市市场监管局：违规认定（第十条）（report-violation）、遴选典型案例（select-typical-case）、"
        "推荐申报国家基地（recommend-national-base）"
    )


def test_every_unmet_municipal_condition_is_named() -> None:
    conditions = MunicipalConditions(
        governance=True, steady_service=False, leading_capability=True, replicable_practice=False
    )
    assert _refusal(district_named(), ApplyMunicipal(conditions=conditions)) == (
        "不满足第七条申请市级命名的条件："
        "（二）稳定有效服务中小企业并形成服务品牌；（四）形成可复制推广的典型做法。"
        "当前可执行：平台运营方：更新项目资料（update-profile）；"
        "实施单位：申请市级命名（apply-municipal）、更新项目资料（update-profile）、"
        "报送年度数据（submit-data）；"
        "区市场监管局：区级定期评估（evaluate-district）、违规认定（第十条）（report-violation）；"
        "市市场监管局：遴选典型案例（select-typical-case）"
    )


# durations


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("P", "“P”不是有效的ISO-8601期限（例如 P3Y、P6M、P30D、PT10M）"),
        ("PT", "“PT”不是有效的ISO-8601期限（例如 P3Y、P6M、P30D、PT10M）"),
        ("P1DT", "“P1DT”不是有效的ISO-8601期限（例如 P3Y、P6M、P30D、PT10M）"),
        ("P0D", "期限“P0D”必须大于零"),
        ("P101Y", "期限“P101Y”过长（不超过100年）"),
    ],
)
def test_a_bad_duration_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(DurationError) as error:
        add_duration(utc(2024, 5, 10), text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("longest", "too_long"),
    [
        ("P100Y", "P1201M"),
        ("P1200M", "P100Y1M"),
        ("P36600D", "P36601D"),
        ("P5228W4D", "P5228W5D"),  # 36,600 days, then one more
        ("PT3162240000S", "PT3162240001S"),  # 100 × 366 days in seconds, then one more
        ("PT878400H", "PT878400H1S"),
    ],
)
def test_durations_are_capped_at_one_hundred_years_in_each_part(
    longest: str, too_long: str
) -> None:
    add_duration(utc(2024, 5, 10), longest)
    with pytest.raises(DurationError, match="过长"):
        add_duration(utc(2024, 5, 10), too_long)


def test_a_naive_moment_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match=r"^moment must be timezone-aware$"):
        add_duration(datetime(2024, 5, 10), "P1D")


@pytest.fixture
def machine_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to UTC+8, as on a server configured for Shanghai."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("machine_in_shanghai")
def test_instants_are_utc_whatever_the_machine_time_zone() -> None:
    assert add_duration(utc(2024, 5, 10, 2), "P1D").isoformat() == "2024-05-11T02:00:00+00:00"
    assert start_of_day(utc(2024, 5, 10).date()).isoformat() == "2024-05-09T16:00:00+00:00"


@pytest.mark.parametrize("period", ["PT10M", "PT1H", "P1D", "P1W", "P30D"])
@pytest.mark.parametrize("years", [1, 7, 40])
@pytest.mark.parametrize("past", [timedelta(minutes=30), timedelta(hours=5, minutes=3)])
def test_next_after_an_exact_period_needs_four_additions(
    monkeypatch: pytest.MonkeyPatch, period: str, years: int, past: timedelta
) -> None:
    # The estimate of k is exact for periods of fixed length: one probe below, two steps up.
    calls: list[int] = []

    def counted(moment: datetime, duration: str, times: int = 1) -> datetime:
        calls.append(times)
        return add_duration(moment, duration, times)

    monkeypatch.setattr(durations, "add_duration", counted)
    anchor = shanghai_midnight(2010, 1, 1)
    after = anchor + timedelta(days=365 * years) + past
    found = next_after(anchor, period, after)
    assert after < found <= after + timedelta(days=30)
    assert len(calls) <= 4, calls


@pytest.mark.parametrize("period", ["P1M", "P6M", "P1Y", "P3Y", "P1M15D"])
def test_next_after_a_calendar_period_needs_few_additions(
    monkeypatch: pytest.MonkeyPatch, period: str
) -> None:
    calls = 0

    def counted(moment: datetime, duration: str, times: int = 1) -> datetime:
        nonlocal calls
        calls += 1
        return add_duration(moment, duration, times)

    monkeypatch.setattr(durations, "add_duration", counted)
    anchor = shanghai_midnight(1950, 1, 31)
    for years in (3, 50, 90):
        calls = 0
        after = anchor + timedelta(days=365 * years)
        found = next_after(anchor, period, after)
        assert found > after
        assert calls <= 5, (period, years, calls)


# tasks and rectification periods


def test_no_reminder_when_it_would_fall_on_the_moment_the_task_opens() -> None:
    state = in_acceptance(Policy(decision_due="P7D", decision_reminder_before="P7D"))
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.reminder_at is None
    state = in_acceptance(Policy(decision_due="P8D", decision_reminder_before="P7D"))
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.reminder_at == REQUESTED_AT + timedelta(days=1)


def test_a_rectification_reminder_on_the_moment_of_the_review_is_dropped() -> None:
    state = in_rectification(Policy(rectification_period="P30D"))
    deadline = REVIEW_FAILED_AT + timedelta(days=30)
    assert state.rectification_deadline == deadline
    assert state.rectification_reminders == [deadline - timedelta(days=7)]


def test_a_failed_review_starts_the_rectification_with_nothing_reported() -> None:
    state = in_rectification()
    assert state.rectification_reported is False
    assert state.rectification_reports == 0
    assert state.rectification_deadline == RECTIFICATION_DEADLINE


def test_a_passed_rectification_review_clears_the_period() -> None:
    state = in_rectification()
    for _ in range(2):
        decide(state, UNIT, ReportRectification(report="整改完成"), utc(2027, 8, 1, 2))
    assert state.rectification_reports == 2
    decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=True), utc(2027, 8, 2, 2))
    assert state.rectification_reported is False
    assert state.rectification_reports == 0
    assert state.rectification_reminders == []
    assert state.rectification_deadline is None
    assert state.cycle_completed is True


def test_evaluations_and_reviews_complete_a_cycle() -> None:
    state = district_named()
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    assert state.cycle_completed is False
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2025, 5, 21))
    assert state.cycle_completed is True

    state = municipal_review_open()
    assert state.cycle_completed is False
    passed = ReviewMunicipal(passed=True, scores=scores())
    decide(state, MUNICIPAL_BUREAU, passed, FIRST_MUNICIPAL_REVIEW + timedelta(days=1))
    assert state.cycle_completed is True

    state = in_rectification()
    advance_time(state, RECTIFICATION_DEADLINE)
    assert state.cycle_completed is False
    failed = ReviewRectification(passed=False)
    decide(state, MUNICIPAL_BUREAU, failed, RECTIFICATION_DEADLINE + timedelta(days=1))
    assert state.cycle_completed is True


@pytest.mark.parametrize("stage", [Stage.MUNICIPAL_NAMED, Stage.RECTIFICATION])
def test_revoking_the_municipal_name_closes_its_open_decisions(stage: Stage) -> None:
    state = municipal_review_open()
    if stage is Stage.RECTIFICATION:
        decide(
            state,
            MUNICIPAL_BUREAU,
            ReviewMunicipal(passed=False, scores=scores(40)),
            REVIEW_FAILED_AT,
        )
        advance_time(state, RECTIFICATION_DEADLINE)
        assert state.task(TaskKind.RECTIFICATION_REVIEW) is not None
    else:
        assert state.task(TaskKind.MUNICIPAL_REVIEW) is not None
    revoke = ReportViolation(scope="municipal", finding=Finding.FALSE_DATA, note="数据不实")
    decide(state, MUNICIPAL_BUREAU, revoke, RECTIFICATION_DEADLINE + timedelta(days=1))
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.tasks == []
    assert state.next_municipal_review_at is None
    assert state.next_district_evaluation_at is not None


def test_a_reminder_goes_to_its_own_task_when_two_are_open() -> None:
    # 2025-05-20: the district evaluation opens (reminder 06-12, due 06-19); on 05-25 the unit
    # applies for the municipal name (reminder 06-17, due 06-24).
    state = district_named()
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), utc(2025, 5, 25, 2))
    evaluation = state.task(TaskKind.DISTRICT_EVALUATION)
    recommendation = state.task(TaskKind.MUNICIPAL_RECOMMENDATION)
    assert evaluation is not None
    assert recommendation is not None
    advance_time(state, utc(2025, 6, 17, 3))
    assert (evaluation.reminded, evaluation.escalated) == (True, False)
    assert (recommendation.reminded, recommendation.escalated) == (True, False)
    advance_time(state, utc(2025, 6, 20))
    assert (evaluation.reminded, evaluation.escalated) == (True, True)
    assert (recommendation.reminded, recommendation.escalated) == (True, False)


def test_without_reminders_two_open_decisions_each_escalate_once() -> None:
    # A policy whose reminder would fall when a task opens: tasks have no reminder at all.
    state = district_named(Policy(decision_due="P7D", decision_reminder_before="P7D"))
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), utc(2025, 5, 22, 2))
    effects = advance_time(state, utc(2025, 6, 30))
    assert [t.escalated for t in state.tasks] == [True, True]
    subjects = [n.subject.partition("】")[2] for n in notifications(effects)]
    assert subjects == ["督办：区级项目定期评估已逾期", "督办：市级命名申请推荐已逾期"]
