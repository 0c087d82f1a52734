"""Who may take which decision in which stage (docs/regulation.md), and why not."""

from datetime import datetime

from domain.actions import ACTION_SPECS
from domain.actors import Actor, Role
from domain.decisions import (
    Action,
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    EvaluateDistrict,
    ReportRectification,
    ReportViolation,
    ReviewRectification,
    SubmitData,
)
from domain.districts import district_name
from domain.durations import local_date
from domain.periods import parse_period, period_hint
from domain.stages import END_STAGES, MUNICIPAL_LEVEL_STAGES, Level, Stage
from domain.state import MAX_RECTIFICATION_REPORTS, ProjectState, TaskKind

# Derived from the declarations (domain.actions); the checks below read these.
ACTION_ROLES: dict[Action, frozenset[Role]] = {a: spec.roles for a, spec in ACTION_SPECS.items()}
ACTION_STAGES: dict[Action, frozenset[Stage]] = {a: spec.stages for a, spec in ACTION_SPECS.items()}

_MUNICIPAL_MATTERS = MUNICIPAL_LEVEL_STAGES | {
    Stage.MUNICIPAL_RECOMMENDATION,
    Stage.MUNICIPAL_EVALUATION,
}


class DecisionRefused(Exception):
    """A decision the process does not accept now, with a message a person can act on."""

    def __init__(self, message: str, allowed: list[Action], field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.allowed = allowed
        self.field = field
        """Set when the body's field is wrong for this project (422 naming it, not 409)."""


def _action_problem(state: ProjectState, actor: Actor, action: Action) -> str | None:
    """Why `actor` may not take `action` now (body aside), or None."""
    stage = state.stage
    if stage in END_STAGES:
        return f"项目已结束（{stage.label}），不再接受任何决定"
    roles = ACTION_ROLES[action]
    if actor.role not in roles:
        who = "或".join(r.label for r in sorted(roles))
        return f"“{action.label}”只能由{who}作出，当前身份为{actor.role.label}"
    if actor.role is Role.DISTRICT_BUREAU and actor.district != state.spec.district:
        return f"该项目属于{district_name(state.spec.district)}，区市场监管局只能处理本区项目"
    if actor.role is Role.UNIT and actor.credit_code != state.spec.unit.credit_code:
        return "实施单位只能处理本单位的项目"
    if stage not in ACTION_STAGES[action]:
        return f"项目当前阶段为“{stage.label}”，不能执行“{action.label}”"
    if (
        action is Action.REPORT_VIOLATION
        and actor.role is Role.MUNICIPAL_BUREAU
        and stage not in _MUNICIPAL_MATTERS
    ):
        return f"项目当前阶段为“{stage.label}”，尚无市级命名或市级申请，不能由市市场监管局认定违规"
    if (
        action is Action.EVALUATE_DISTRICT
        and not state.task(TaskKind.DISTRICT_EVALUATION)
        and not off_cycle_allowed(state)
    ):
        due = state.next_district_evaluation_at
        when = f"（下次评估：{local_date(due).isoformat()}）" if due else ""
        return f"区级定期评估尚未到期{when}"
    if action is Action.REVIEW_MUNICIPAL and not state.task(TaskKind.MUNICIPAL_REVIEW):
        due = state.next_municipal_review_at
        when = f"（下次评估：{local_date(due).isoformat()}）" if due else ""
        return f"市级三年评估尚未到期{when}"
    if (
        action is Action.REVIEW_RECTIFICATION
        and not state.task(TaskKind.RECTIFICATION_REVIEW)
        and not state.rectification_reported
    ):
        return "整改期未届满且实施单位尚未提交整改报告，暂不能复评"
    if action is Action.KEEP_MUNICIPAL_NAME and not state.task(TaskKind.VIOLATION_REFERRAL):
        return "没有区市场监管局移送的违规认定待处理，无需作出保留市级命名的决定"
    if (
        action is Action.REPORT_VIOLATION
        and actor.role is Role.DISTRICT_BUREAU
        and state.active_name(Level.DISTRICT) is None
        and state.active_name(Level.MUNICIPAL) is not None
    ):
        return "区级命名已撤消，区市场监管局没有可撤消的命名；市级命名由市市场监管局认定（第十条）"
    return _publication_problem(state, action)


def _publication_problem(state: ProjectState, action: Action) -> str | None:
    """Typical cases (Art. 9.4) and national-base recommendations (Art. 12)."""
    case = state.typical_case
    if action is Action.SELECT_TYPICAL_CASE and case is not None:
        return f"项目已于{case.selected_on.isoformat()}入选典型案例“{case.title}”，如需更换请先撤回"
    if action is Action.WITHDRAW_TYPICAL_CASE and case is None:
        return "项目未入选典型案例，无可撤回"
    if action is Action.RECOMMEND_NATIONAL_BASE:
        if state.level is not Level.MUNICIPAL:
            return (
                f"项目当前为{state.level.label}项目；只有市级项目可推荐申报"
                "国家质量基础设施集成服务基地（第十二条）"
            )
        base = state.national_base_mark
        if base is not None:
            return f"项目已于{base.recommended_on.isoformat()}推荐申报国家质量基础设施集成服务基地"
    return None


def _data_problem(state: ProjectState, d: SubmitData, now: datetime | None) -> str | None:
    """Art. 9.1: the period must be one of the policy's, and ended."""
    length = state.policy.data_period
    period = parse_period(d.period, length)
    if period is None:
        return f"数据周期“{d.period}”无法识别，应为{period_hint(length)}"
    if now is not None and period.end > now:
        return f"数据周期{period.label}尚未结束（至{period.last_day.isoformat()}），结束后才能报送"
    return None


def off_cycle_allowed(state: ProjectState) -> bool:
    """Whether the district bureau may evaluate between periodic evaluations (Art. 9.2 及时取消):
    a district project, on the rules that know it, with no periodic evaluation open."""
    return (
        state.rules >= 2
        and state.stage is Stage.DISTRICT_NAMED
        and state.task(TaskKind.DISTRICT_EVALUATION) is None
    )


def _body_problem(state: ProjectState, actor: Actor, decision: Decision) -> str | None:
    if isinstance(decision, ApplyMunicipal):
        unmet = decision.conditions.unmet()
        if unmet:
            return f"不满足第七条申请市级命名的条件：{'；'.join(unmet)}"
    if (
        isinstance(decision, ReportRectification)
        and state.rectification_reports >= MAX_RECTIFICATION_REPORTS
    ):
        return f"本整改期已提交{MAX_RECTIFICATION_REPORTS}份整改报告，不能再提交，请等待复评"
    if (
        isinstance(decision, ReviewRectification)
        and not decision.passed
        and not state.task(TaskKind.RECTIFICATION_REVIEW)
    ):
        # Art. 9.3 grants half a year: before it ends, an early review can only find it done.
        deadline = state.rectification_deadline
        when = f"（{local_date(deadline).isoformat()}）" if deadline else ""
        return f"整改期届满{when}前只能作出整改通过的复评结论；整改无效须待整改期届满后认定（第九条第三项）"
    if isinstance(decision, DecideAcceptance) and decision.passed:
        unmet = state.spec.basic_conditions.unmet()
        if unmet:
            return f"不满足第五条基本条件，不能通过验收：{'；'.join(unmet)}"
    if (
        isinstance(decision, EvaluateDistrict)
        and not decision.meets_conditions
        and not decision.note
        and off_cycle_allowed(state)
    ):
        return "定期评估之外取消区级命名（第九条第二项及时取消），须在 note 中写明不再符合基本条件的理由"
    if isinstance(decision, ReportViolation):
        authority = Role.DISTRICT_BUREAU if decision.scope == "district" else Role.MUNICIPAL_BUREAU
        if actor.role is not authority:
            level = "区级" if decision.scope == "district" else "市级"
            return f"{level}命名由{authority.label}认定，只能由其撤消（第十条）"
        if not decision.note:
            return "违规认定须在 note 中写明查明的事实（第十条）"
    return None


def allowed_actions(state: ProjectState, actor: Actor) -> list[Action]:
    """The actions `actor` may take now."""
    return [a for a in Action if _action_problem(state, actor, a) is None]


def actions_by_role(state: ProjectState) -> dict[Role, list[Action]]:
    """For each role, the actions it may take in the current stage (scope aside)."""
    result: dict[Role, list[Action]] = {}
    for role in Role:
        actor = Actor(
            role=role, district=state.spec.district, credit_code=state.spec.unit.credit_code
        )
        actions = allowed_actions(state, actor)
        if actions:
            result[role] = actions
    return result


def describe_allowed(state: ProjectState) -> str:
    by_role = actions_by_role(state)
    if not by_role:
        return "当前没有可执行的决定"
    parts = [
        f"{role.label}：{'、'.join(f'{a.label}（{a.value}）' for a in actions)}"
        for role, actions in by_role.items()
    ]
    return "当前可执行：" + "；".join(parts)


def check_decision(
    state: ProjectState, actor: Actor, decision: Decision, now: datetime | None = None
) -> None:
    """Raise DecisionRefused unless `actor` may take `decision` now (`now` given: checks that
    depend on the date, such as a data period having ended, are made too)."""
    problem = _action_problem(state, actor, decision.action) or _body_problem(
        state, actor, decision
    )
    if problem:
        raise DecisionRefused(
            f"{problem}。{describe_allowed(state)}", allowed_actions(state, actor)
        )
    if isinstance(decision, SubmitData):
        wrong = _data_problem(state, decision, now)
        if wrong:
            raise DecisionRefused(wrong, allowed_actions(state, actor), field="period")
