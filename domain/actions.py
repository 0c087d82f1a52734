"""Every action, declared once: its name, label, who may take it, when, and the task it answers.

The rules (domain.rules), the labels (domain.decisions), the waiting tasks (domain.state), the
API routes and their documentation (api.actions) all read `ACTION_SPECS`; none keeps its own
table. An action's typed body is its model in domain.decisions, found by its `action` field.
See docs/actions.md for adding one.
"""

from dataclasses import dataclass
from enum import StrEnum

from domain.actors import Role
from domain.stages import (
    DISTRICT_LEVEL_STAGES,
    END_STAGES,
    MUNICIPAL_LEVEL_STAGES,
    Stage,
)


class Action(StrEnum):
    REQUEST_ACCEPTANCE = "request-acceptance"
    DECIDE_ACCEPTANCE = "decide-acceptance"
    WITHDRAW = "withdraw"
    EVALUATE_DISTRICT = "evaluate-district"
    APPLY_MUNICIPAL = "apply-municipal"
    RECOMMEND_MUNICIPAL = "recommend-municipal"
    EVALUATE_MUNICIPAL = "evaluate-municipal"
    REVIEW_MUNICIPAL = "review-municipal"
    REPORT_RECTIFICATION = "report-rectification"
    REVIEW_RECTIFICATION = "review-rectification"
    REPORT_VIOLATION = "report-violation"
    KEEP_MUNICIPAL_NAME = "keep-municipal-name"
    UPDATE_PROFILE = "update-profile"
    SUBMIT_DATA = "submit-data"
    SELECT_TYPICAL_CASE = "select-typical-case"
    WITHDRAW_TYPICAL_CASE = "withdraw-typical-case"
    RECOMMEND_NATIONAL_BASE = "recommend-national-base"

    @property
    def spec(self) -> "ActionSpec":
        return ACTION_SPECS[self]

    @property
    def label(self) -> str:
        return ACTION_SPECS[self].label


# A decision the process opens a task for and waits on, with a due date. (No docstring: it
# would become the description of TaskKind in the OpenAPI document.)
class TaskKind(StrEnum):
    ACCEPTANCE = "acceptance"
    DISTRICT_EVALUATION = "district_evaluation"
    MUNICIPAL_RECOMMENDATION = "municipal_recommendation"
    MUNICIPAL_EVALUATION = "municipal_evaluation"
    MUNICIPAL_REVIEW = "municipal_review"
    RECTIFICATION_REVIEW = "rectification_review"
    VIOLATION_REFERRAL = "violation_referral"
    DATA_SUBMISSION = "data_submission"

    @property
    def spec(self) -> "ActionSpec":
        """The declaration of the action that closes this task."""
        return TASK_SPECS[self]

    @property
    def label(self) -> str:
        task = TASK_SPECS[self].task
        assert task is not None
        return task.label

    @property
    def action(self) -> Action:
        return TASK_SPECS[self].action

    @property
    def role(self) -> Role:
        return TASK_SPECS[self].task_role


@dataclass(frozen=True)
class TaskSpec:
    """The waiting task an action answers: its kind and how it is shown to the one it waits for."""

    kind: TaskKind
    label: str


@dataclass(frozen=True)
class ActionSpec:
    """One action, all but its body (domain.decisions), its special checks (domain.rules) and
    its handler (domain.lifecycle)."""

    action: Action
    label: str
    roles: frozenset[Role]
    stages: frozenset[Stage]
    task: TaskSpec | None = None

    @property
    def task_role(self) -> Role:
        """The one role a task for this action waits for (checked below for every task)."""
        [role] = self.roles
        return role


LIVE_STAGES = frozenset(Stage) - END_STAGES
# Stages in which the project holds a name (district, municipal or both).
NAMED_STAGES = DISTRICT_LEVEL_STAGES | MUNICIPAL_LEVEL_STAGES

DECLARATIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        action=Action.REQUEST_ACCEPTANCE,
        label="申请验收",
        roles=frozenset({Role.UNIT, Role.OPERATOR}),
        stages=frozenset({Stage.BUILDING}),
    ),
    ActionSpec(
        action=Action.DECIDE_ACCEPTANCE,
        label="验收结论",
        roles=frozenset({Role.DISTRICT_BUREAU}),
        stages=frozenset({Stage.ACCEPTANCE}),
        task=TaskSpec(TaskKind.ACCEPTANCE, "项目验收"),
    ),
    ActionSpec(
        action=Action.WITHDRAW,
        label="撤回申请",
        roles=frozenset({Role.UNIT}),
        stages=frozenset({Stage.BUILDING, Stage.ACCEPTANCE}),
    ),
    ActionSpec(
        action=Action.EVALUATE_DISTRICT,
        label="区级定期评估",
        roles=frozenset({Role.DISTRICT_BUREAU}),
        stages=frozenset(
            {Stage.DISTRICT_NAMED, Stage.MUNICIPAL_RECOMMENDATION, Stage.MUNICIPAL_EVALUATION}
        ),
        task=TaskSpec(TaskKind.DISTRICT_EVALUATION, "区级项目定期评估"),
    ),
    ActionSpec(
        action=Action.APPLY_MUNICIPAL,
        label="申请市级命名",
        roles=frozenset({Role.UNIT}),
        stages=frozenset({Stage.DISTRICT_NAMED}),
    ),
    ActionSpec(
        action=Action.RECOMMEND_MUNICIPAL,
        label="区局推荐意见",
        roles=frozenset({Role.DISTRICT_BUREAU}),
        stages=frozenset({Stage.MUNICIPAL_RECOMMENDATION}),
        task=TaskSpec(TaskKind.MUNICIPAL_RECOMMENDATION, "市级命名申请推荐"),
    ),
    ActionSpec(
        action=Action.EVALUATE_MUNICIPAL,
        label="市级命名评估",
        roles=frozenset({Role.MUNICIPAL_BUREAU}),
        stages=frozenset({Stage.MUNICIPAL_EVALUATION}),
        task=TaskSpec(TaskKind.MUNICIPAL_EVALUATION, "市级命名评估"),
    ),
    ActionSpec(
        action=Action.REVIEW_MUNICIPAL,
        label="市级三年评估",
        roles=frozenset({Role.MUNICIPAL_BUREAU}),
        stages=frozenset({Stage.MUNICIPAL_NAMED}),
        task=TaskSpec(TaskKind.MUNICIPAL_REVIEW, "市级项目三年评估"),
    ),
    ActionSpec(
        action=Action.REPORT_RECTIFICATION,
        label="提交整改报告",
        roles=frozenset({Role.UNIT}),
        stages=frozenset({Stage.RECTIFICATION}),
    ),
    ActionSpec(
        action=Action.REVIEW_RECTIFICATION,
        label="整改复评",
        roles=frozenset({Role.MUNICIPAL_BUREAU}),
        stages=frozenset({Stage.RECTIFICATION}),
        task=TaskSpec(TaskKind.RECTIFICATION_REVIEW, "整改复评"),
    ),
    ActionSpec(
        action=Action.REPORT_VIOLATION,
        label="违规认定（第十条）",
        roles=frozenset({Role.DISTRICT_BUREAU, Role.MUNICIPAL_BUREAU}),
        stages=LIVE_STAGES,
    ),
    # Answers a district revocation referred to the municipal bureau (谁命名谁撤消, Art. 10) by
    # keeping the municipal name; revoking it instead is a municipal `report-violation`.
    ActionSpec(
        action=Action.KEEP_MUNICIPAL_NAME,
        label="保留市级命名",
        roles=frozenset({Role.MUNICIPAL_BUREAU}),
        stages=MUNICIPAL_LEVEL_STAGES,
        task=TaskSpec(TaskKind.VIOLATION_REFERRAL, "区局移送违规认定（第十条）"),
    ),
    # Art. 11 publishes the contacts, so the profile must stay current while the project lives.
    ActionSpec(
        action=Action.UPDATE_PROFILE,
        label="更新项目资料",
        roles=frozenset({Role.UNIT, Role.OPERATOR}),
        stages=LIVE_STAGES,
    ),
    # Art. 9.1: a named project's figures for one data period; again before the district report
    # is in, it corrects them. The task is opened when a period ends (rules 4).
    ActionSpec(
        action=Action.SUBMIT_DATA,
        label="报送年度数据",
        roles=frozenset({Role.UNIT}),
        stages=NAMED_STAGES,
        task=TaskSpec(TaskKind.DATA_SUBMISSION, "成效数据报送（第九条第一项）"),
    ),
    # Art. 9.4 典型案例, published in the directory (Art. 11).
    ActionSpec(
        action=Action.SELECT_TYPICAL_CASE,
        label="遴选典型案例",
        roles=frozenset({Role.MUNICIPAL_BUREAU}),
        stages=NAMED_STAGES,
    ),
    ActionSpec(
        action=Action.WITHDRAW_TYPICAL_CASE,
        label="撤回典型案例",
        roles=frozenset({Role.MUNICIPAL_BUREAU}),
        stages=NAMED_STAGES,
    ),
    # Art. 12: municipal projects only (the rule names the level otherwise).
    ActionSpec(
        action=Action.RECOMMEND_NATIONAL_BASE,
        label="推荐申报国家基地",
        roles=frozenset({Role.MUNICIPAL_BUREAU}),
        stages=NAMED_STAGES,
    ),
)


def _by_action(declarations: tuple[ActionSpec, ...]) -> dict[Action, ActionSpec]:
    """The declarations in Action's order; every action exactly once, else ValueError."""
    declared = [d.action for d in declarations]
    if sorted(declared) != sorted(Action):
        missing = set(Action) - set(declared)
        twice = {a for a in declared if declared.count(a) > 1}
        raise ValueError(f"actions not declared exactly once: {missing | twice}")
    specs = {d.action: d for d in declarations}
    return {action: specs[action] for action in Action}


def _by_task(declarations: tuple[ActionSpec, ...]) -> dict[TaskKind, ActionSpec]:
    """For each task kind, in TaskKind's order, the one action that closes it."""
    tasks = {d.task.kind: d for d in declarations if d.task is not None}
    if len(tasks) != len(TaskKind) or len(tasks) != sum(1 for d in declarations if d.task):
        raise ValueError("every task kind must be answered by exactly one action")
    if any(len(spec.roles) != 1 for spec in tasks.values()):
        raise ValueError("a task waits for one role: its action must have exactly one")
    return {kind: tasks[kind] for kind in TaskKind}


ACTION_SPECS: dict[Action, ActionSpec] = _by_action(DECLARATIONS)
TASK_SPECS: dict[TaskKind, ActionSpec] = _by_task(DECLARATIONS)
