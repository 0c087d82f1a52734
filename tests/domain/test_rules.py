"""Who may take which decision in which stage, and how a refusal reads (docs/regulation.md)."""

from collections.abc import Callable

import pytest

from domain.actors import Actor, Role
from domain.decisions import (
    Action,
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    EvaluateDistrict,
    EvaluateMunicipal,
    Finding,
    RecommendMunicipal,
    ReportRectification,
    ReportViolation,
    RequestAcceptance,
    ReviewMunicipal,
    ReviewRectification,
    Withdraw,
)
from domain.rules import DecisionRefused, actions_by_role, allowed_actions, describe_allowed
from domain.stages import Stage
from domain.state import MAX_RECTIFICATION_REPORTS, ProjectState
from domain.timers import advance_time
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    FIRST_DISTRICT_EVALUATION,
    MUNICIPAL_BUREAU,
    OPERATOR,
    OTHER_DISTRICT_BUREAU,
    OTHER_UNIT,
    UNIT,
    all_conditions,
    decide,
    district_named,
    in_acceptance,
    in_municipal_evaluation,
    in_municipal_recommendation,
    in_rectification,
    make_state,
    municipal_named,
    municipal_review_open,
    scores,
    utc,
)

NOW = utc(2026, 1, 5, 2)


def _refusal(state: ProjectState, actor: Actor, decision: Decision) -> DecisionRefused:
    """Take a decision that must be refused; check the state did not change; return the error."""
    before = state.model_dump()
    with pytest.raises(DecisionRefused) as info:
        decide(state, actor, decision, NOW)
    assert state.model_dump() == before
    return info.value


def _district_evaluation_open() -> ProjectState:
    state = district_named()
    advance_time(state, FIRST_DISTRICT_EVALUATION)
    return state


def _withdrawn() -> ProjectState:
    state = make_state()
    decide(state, UNIT, Withdraw(reason="放弃"), utc(2024, 5, 11))
    return state


# what each role may do in each stage


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            make_state,
            {
                Role.OPERATOR: [Action.REQUEST_ACCEPTANCE, Action.UPDATE_PROFILE],
                Role.UNIT: [Action.REQUEST_ACCEPTANCE, Action.WITHDRAW, Action.UPDATE_PROFILE],
                Role.DISTRICT_BUREAU: [Action.REPORT_VIOLATION],
            },
        ),
        (
            in_acceptance,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.WITHDRAW, Action.UPDATE_PROFILE],
                Role.DISTRICT_BUREAU: [Action.DECIDE_ACCEPTANCE, Action.REPORT_VIOLATION],
            },
        ),
        (
            district_named,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.APPLY_MUNICIPAL, Action.UPDATE_PROFILE, Action.SUBMIT_DATA],
                # Off-cycle (Art. 9.2 及时取消), rules 2.
                Role.DISTRICT_BUREAU: [Action.EVALUATE_DISTRICT, Action.REPORT_VIOLATION],
                Role.MUNICIPAL_BUREAU: [Action.SELECT_TYPICAL_CASE],
            },
        ),
        (
            _district_evaluation_open,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.APPLY_MUNICIPAL, Action.UPDATE_PROFILE, Action.SUBMIT_DATA],
                Role.DISTRICT_BUREAU: [Action.EVALUATE_DISTRICT, Action.REPORT_VIOLATION],
                Role.MUNICIPAL_BUREAU: [Action.SELECT_TYPICAL_CASE],
            },
        ),
        (
            in_municipal_recommendation,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.UPDATE_PROFILE, Action.SUBMIT_DATA],
                Role.DISTRICT_BUREAU: [Action.RECOMMEND_MUNICIPAL, Action.REPORT_VIOLATION],
                Role.MUNICIPAL_BUREAU: [Action.REPORT_VIOLATION, Action.SELECT_TYPICAL_CASE],
            },
        ),
        (
            in_municipal_evaluation,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.UPDATE_PROFILE, Action.SUBMIT_DATA],
                Role.DISTRICT_BUREAU: [Action.REPORT_VIOLATION],
                Role.MUNICIPAL_BUREAU: [
                    Action.EVALUATE_MUNICIPAL,
                    Action.REPORT_VIOLATION,
                    Action.SELECT_TYPICAL_CASE,
                ],
            },
        ),
        (
            municipal_named,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.UPDATE_PROFILE, Action.SUBMIT_DATA],
                Role.DISTRICT_BUREAU: [Action.REPORT_VIOLATION],
                Role.MUNICIPAL_BUREAU: [
                    Action.REPORT_VIOLATION,
                    Action.SELECT_TYPICAL_CASE,
                    Action.RECOMMEND_NATIONAL_BASE,
                ],
            },
        ),
        (
            municipal_review_open,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.UPDATE_PROFILE, Action.SUBMIT_DATA],
                Role.DISTRICT_BUREAU: [Action.REPORT_VIOLATION],
                Role.MUNICIPAL_BUREAU: [
                    Action.REVIEW_MUNICIPAL,
                    Action.REPORT_VIOLATION,
                    Action.SELECT_TYPICAL_CASE,
                    Action.RECOMMEND_NATIONAL_BASE,
                ],
            },
        ),
        (
            in_rectification,
            {
                Role.OPERATOR: [Action.UPDATE_PROFILE],
                Role.UNIT: [Action.REPORT_RECTIFICATION, Action.UPDATE_PROFILE, Action.SUBMIT_DATA],
                Role.DISTRICT_BUREAU: [Action.REPORT_VIOLATION],
                Role.MUNICIPAL_BUREAU: [
                    Action.REPORT_VIOLATION,
                    Action.SELECT_TYPICAL_CASE,
                    Action.RECOMMEND_NATIONAL_BASE,
                ],
            },
        ),
        (_withdrawn, {}),
    ],
)
def test_actions_by_role_in_each_stage(
    build: Callable[[], ProjectState], expected: dict[Role, list[Action]]
) -> None:
    assert actions_by_role(build()) == expected


def test_reported_rectification_may_be_reviewed_early() -> None:
    state = in_rectification()
    decide(state, UNIT, ReportRectification(report="整改完成"), utc(2027, 9, 1))
    assert Action.REVIEW_RECTIFICATION in allowed_actions(state, MUNICIPAL_BUREAU)


def test_nothing_is_allowed_to_a_bureau_of_another_district_or_another_unit() -> None:
    state = in_acceptance()
    assert allowed_actions(state, OTHER_DISTRICT_BUREAU) == []
    assert allowed_actions(state, OTHER_UNIT) == []


def test_describe_allowed_lists_roles_and_actions() -> None:
    text = describe_allowed(in_acceptance())
    assert text.startswith("当前可执行：")
    assert "实施单位：撤回申请（withdraw）" in text
    assert "区市场监管局：验收结论（decide-acceptance）" in text


def test_describe_allowed_in_an_end_stage_says_nothing_is_possible() -> None:
    assert describe_allowed(_withdrawn()) == "当前没有可执行的决定"


# refusals: wrong stage


@pytest.mark.parametrize(
    ("build", "actor", "decision", "stage_label"),
    [
        (make_state, DISTRICT_BUREAU, DecideAcceptance(passed=True), "建设中"),
        (in_acceptance, UNIT, RequestAcceptance(), "验收中"),
        (make_state, UNIT, ApplyMunicipal(conditions=all_conditions()), "建设中"),
        (district_named, UNIT, Withdraw(reason="x"), "区级项目"),
        (district_named, DISTRICT_BUREAU, RecommendMunicipal(recommend=True), "区级项目"),
        (
            in_municipal_recommendation,
            MUNICIPAL_BUREAU,
            EvaluateMunicipal(passed=True, scores=scores()),
            "待区局推荐市级",
        ),
        (
            in_municipal_evaluation,
            MUNICIPAL_BUREAU,
            ReviewMunicipal(passed=True, scores=scores()),
            "市级评估中",
        ),
        (municipal_named, UNIT, ReportRectification(report="x"), "市级项目"),
        (in_rectification, UNIT, ApplyMunicipal(conditions=all_conditions()), "整改期"),
        (
            in_rectification,
            MUNICIPAL_BUREAU,
            ReviewMunicipal(passed=True, scores=scores()),
            "整改期",
        ),
    ],
)
def test_wrong_stage_is_refused_naming_the_stage_and_what_is_allowed(
    build: Callable[[], ProjectState], actor: Actor, decision: Decision, stage_label: str
) -> None:
    state = build()
    error = _refusal(state, actor, decision)
    assert f"项目当前阶段为“{stage_label}”" in error.message
    assert f"不能执行“{decision.action.label}”" in error.message
    assert "当前可执行：" in error.message
    assert error.allowed == allowed_actions(state, actor)
    assert str(error) == error.message


def test_refusal_lists_the_actions_allowed_now() -> None:
    error = _refusal(make_state(), UNIT, ApplyMunicipal(conditions=all_conditions()))
    assert error.allowed == [Action.REQUEST_ACCEPTANCE, Action.WITHDRAW, Action.UPDATE_PROFILE]
    assert "申请验收（request-acceptance）" in error.message
    assert "撤回申请（withdraw）" in error.message


def test_end_stage_refuses_everything() -> None:
    error = _refusal(_withdrawn(), UNIT, RequestAcceptance())
    assert "项目已结束（已撤回）" in error.message
    assert "当前没有可执行的决定" in error.message
    assert error.allowed == []


# refusals: wrong role, wrong scope


@pytest.mark.parametrize(
    ("build", "actor", "decision"),
    [
        (make_state, DISTRICT_BUREAU, RequestAcceptance()),
        (in_acceptance, UNIT, DecideAcceptance(passed=True)),
        (in_acceptance, MUNICIPAL_BUREAU, DecideAcceptance(passed=True)),
        (make_state, OPERATOR, Withdraw(reason="x")),
        (district_named, DISTRICT_BUREAU, ApplyMunicipal(conditions=all_conditions())),
        (in_municipal_recommendation, MUNICIPAL_BUREAU, RecommendMunicipal(recommend=True)),
        (in_municipal_evaluation, DISTRICT_BUREAU, EvaluateMunicipal(passed=True, scores=scores())),
        (in_rectification, DISTRICT_BUREAU, ReviewRectification(passed=True)),
        (in_rectification, MUNICIPAL_BUREAU, ReportRectification(report="x")),
    ],
)
def test_wrong_role_is_refused_naming_who_may(
    build: Callable[[], ProjectState], actor: Actor, decision: Decision
) -> None:
    error = _refusal(build(), actor, decision)
    assert f"“{decision.action.label}”只能由" in error.message
    assert f"当前身份为{actor.role.label}" in error.message
    assert "当前可执行：" in error.message


def test_district_bureau_of_another_district_is_refused() -> None:
    error = _refusal(in_acceptance(), OTHER_DISTRICT_BUREAU, DecideAcceptance(passed=True))
    assert "该项目属于浦东新区" in error.message
    assert "只能处理本区项目" in error.message
    assert "当前可执行：" in error.message
    assert error.allowed == []


def test_unit_with_another_credit_code_is_refused() -> None:
    error = _refusal(make_state(), OTHER_UNIT, Withdraw(reason="x"))
    assert "实施单位只能处理本单位的项目" in error.message
    assert "当前可执行：" in error.message
    assert error.allowed == []


def test_unit_without_a_credit_code_is_refused() -> None:
    _refusal(make_state(), Actor(role=Role.UNIT), RequestAcceptance())


def test_district_bureau_without_a_district_is_refused() -> None:
    error = _refusal(
        in_acceptance(), Actor(role=Role.DISTRICT_BUREAU), DecideAcceptance(passed=True)
    )
    assert "只能处理本区项目" in error.message


# refusals: not yet due, body conditions


def test_district_evaluation_before_it_is_due_is_refused_with_the_next_date() -> None:
    # On the first rules; rules 2 allow it off-cycle (tests/domain/test_fidelity_cancellation.py).
    state = district_named()
    state.rules = 1
    error = _refusal(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True))
    assert "区级定期评估尚未到期（下次评估：2025-05-20）" in error.message


def test_municipal_review_before_it_is_due_is_refused_with_the_next_date() -> None:
    error = _refusal(
        municipal_named(), MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores())
    )
    assert "市级三年评估尚未到期（下次评估：2027-07-01）" in error.message


def test_rectification_review_before_report_or_deadline_is_refused() -> None:
    error = _refusal(in_rectification(), MUNICIPAL_BUREAU, ReviewRectification(passed=True))
    assert "整改期未届满且实施单位尚未提交整改报告" in error.message


def test_municipal_application_with_unmet_conditions_is_refused_naming_them() -> None:
    conditions = all_conditions().model_copy(
        update={"leading_capability": False, "replicable_practice": False}
    )
    error = _refusal(district_named(), UNIT, ApplyMunicipal(conditions=conditions))
    assert "第七条" in error.message
    assert "（三）集成服务能力全市领先" in error.message
    assert "（四）形成可复制推广的典型做法" in error.message
    assert "（一）" not in error.message
    assert "当前可执行：" in error.message


def test_violation_by_the_wrong_authority_is_refused() -> None:
    error = _refusal(
        municipal_named(),
        DISTRICT_BUREAU,
        ReportViolation(scope="municipal", finding=Finding.FALSE_DATA),
    )
    assert "第十条" in error.message


def test_refused_decision_adds_no_history_and_keeps_the_sequence() -> None:
    state = in_acceptance()
    seq, history = state.seq, len(state.history)
    _refusal(state, UNIT, DecideAcceptance(passed=True))
    assert (state.seq, len(state.history)) == (seq, history)


def test_stages_are_those_of_the_api_with_chinese_labels() -> None:
    assert [s.value for s in Stage] == [
        "building",
        "acceptance",
        "district_named",
        "municipal_recommendation",
        "municipal_evaluation",
        "municipal_named",
        "rectification",
        "withdrawn",
        "rejected",
        "cancelled",
        "revoked",
    ]
    assert all(not s.label.isascii() for s in Stage)
    assert Stage.RECTIFICATION.label == "整改期"
    assert {s for s in Stage if s.is_end} == {
        Stage.WITHDRAWN,
        Stage.REJECTED,
        Stage.CANCELLED,
        Stage.REVOKED,
    }


def test_an_early_rectification_review_may_only_pass() -> None:
    state = in_rectification()
    decide(state, UNIT, ReportRectification(report="整改完成"), utc(2027, 9, 1))
    error = _refusal(state, MUNICIPAL_BUREAU, ReviewRectification(passed=False))
    assert "整改期届满（2028-01-15）前只能作出整改通过的复评结论" in error.message
    passed = decide(state, MUNICIPAL_BUREAU, ReviewRectification(passed=True), utc(2027, 9, 2))
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert passed


def test_reports_per_rectification_are_capped() -> None:
    state = in_rectification()
    for day in range(1, MAX_RECTIFICATION_REPORTS + 1):
        decide(state, UNIT, ReportRectification(report="补充" * 10000), utc(2027, 8, day))
    error = _refusal(state, UNIT, ReportRectification(report="再补充"))
    assert f"已提交{MAX_RECTIFICATION_REPORTS}份整改报告" in error.message
    # The report text is in the decision record, not in the state the process carries.
    assert all("report" not in e.payload for e in state.history)
    assert state.history[-1].payload["report_chars"] == 20000
