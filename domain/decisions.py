"""The decisions people take (docs/api-guide.md "Actions"), one typed body each.

What an action is (label, roles, stages, task) is declared in domain.actions; this module holds
the body each action carries, and derives its tables from the two.
"""

from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.actions import ACTION_SPECS
from domain.actions import Action as Action  # re-exported: the public home of Action
from domain.actors import Actor
from domain.elements import Element
from domain.project import BasicConditions, Contact, ServiceItem

Note = Annotated[str | None, Field(default=None, max_length=2000, description="备注")]


class Scores(BaseModel):
    """Art. 8 evaluation: operation, service capability and effectiveness, 0 to 100 each."""

    model_config = ConfigDict(extra="forbid")

    operation: Annotated[float, Field(ge=0, le=100, description="运行情况")]
    capability: Annotated[float, Field(ge=0, le=100, description="服务能力")]
    effectiveness: Annotated[float, Field(ge=0, le=100, description="服务成效")]


class MunicipalConditions(BaseModel):
    """Art. 7 (一)–(四), each declared by the unit."""

    model_config = ConfigDict(extra="forbid")

    governance: bool
    steady_service: bool
    leading_capability: bool
    replicable_practice: bool

    def unmet(self) -> list[str]:
        labels = {
            "governance": "（一）组织架构和管理制度健全",
            "steady_service": "（二）稳定有效服务中小企业并形成服务品牌",
            "leading_capability": "（三）集成服务能力全市领先",
            "replicable_practice": "（四）形成可复制推广的典型做法",
        }
        return [label for field, label in labels.items() if not getattr(self, field)]


class Finding(StrEnum):
    FALSE_MATERIAL = "false_material"
    FALSE_DATA = "false_data"
    SERIOUS_VIOLATION = "serious_violation"

    @property
    def label(self) -> str:
        return {
            "false_material": "提供虚假材料",
            "false_data": "提供不实数据",
            "serious_violation": "存在其他严重违法违规行为",
        }[self.value]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: Note = None


class RequestAcceptance(_Body):
    action: Literal[Action.REQUEST_ACCEPTANCE] = Action.REQUEST_ACCEPTANCE


class DecideAcceptance(_Body):
    action: Literal[Action.DECIDE_ACCEPTANCE] = Action.DECIDE_ACCEPTANCE
    passed: bool

    @model_validator(mode="after")
    def _reasons_when_failed(self) -> "DecideAcceptance":
        # docs/regulation.md: a failed acceptance goes back to the unit with its reasons.
        if not self.passed and not self.note:
            raise ValueError("验收未通过时须在 note 中写明原因，以便实施单位整改")
        return self


class Withdraw(_Body):
    action: Literal[Action.WITHDRAW] = Action.WITHDRAW
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class EvaluateDistrict(_Body):
    action: Literal[Action.EVALUATE_DISTRICT] = Action.EVALUATE_DISTRICT
    meets_conditions: bool


class ApplyMunicipal(_Body):
    action: Literal[Action.APPLY_MUNICIPAL] = Action.APPLY_MUNICIPAL
    conditions: MunicipalConditions


class RecommendMunicipal(_Body):
    action: Literal[Action.RECOMMEND_MUNICIPAL] = Action.RECOMMEND_MUNICIPAL
    recommend: bool


class EvaluateMunicipal(_Body):
    action: Literal[Action.EVALUATE_MUNICIPAL] = Action.EVALUATE_MUNICIPAL
    passed: bool
    scores: Scores


class ReviewMunicipal(_Body):
    action: Literal[Action.REVIEW_MUNICIPAL] = Action.REVIEW_MUNICIPAL
    passed: bool
    scores: Scores


class ReportRectification(_Body):
    action: Literal[Action.REPORT_RECTIFICATION] = Action.REPORT_RECTIFICATION
    report: Annotated[str, Field(min_length=1, max_length=20000)]


class ReviewRectification(_Body):
    action: Literal[Action.REVIEW_RECTIFICATION] = Action.REVIEW_RECTIFICATION
    passed: bool


class ReportViolation(_Body):
    action: Literal[Action.REPORT_VIOLATION] = Action.REPORT_VIOLATION
    scope: Literal["district", "municipal"]
    finding: Finding


class UpdateProfile(_Body):
    action: Literal[Action.UPDATE_PROFILE] = Action.UPDATE_PROFILE
    contact: Contact | None = None
    service_items: Annotated[list[ServiceItem], Field(min_length=1, max_length=100)] | None = None
    basic_conditions: BasicConditions | None = None

    @model_validator(mode="after")
    def _something(self) -> "UpdateProfile":
        if self.contact is None and self.service_items is None and self.basic_conditions is None:
            raise ValueError(
                "至少给出 contact（联系人）、service_items（服务事项）、basic_conditions（基本条件）之一"
            )
        return self


class SubmitData(_Body):
    action: Literal[Action.SUBMIT_DATA] = Action.SUBMIT_DATA
    period: Annotated[str, Field(min_length=4, max_length=7, description="数据周期，如 2026")]
    smes_served: Annotated[int, Field(ge=0, le=10_000_000, description="服务中小企业数")]
    services: Annotated[
        dict[Element, Annotated[int, Field(ge=0, le=10_000_000)]],
        Field(description="各要素服务次数"),
    ]
    improvements: Annotated[str, Field(min_length=1, max_length=5000, description="成效说明")]


class SelectTypicalCase(_Body):
    action: Literal[Action.SELECT_TYPICAL_CASE] = Action.SELECT_TYPICAL_CASE
    title: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Annotated[str, Field(min_length=1, max_length=5000)]


class WithdrawTypicalCase(_Body):
    action: Literal[Action.WITHDRAW_TYPICAL_CASE] = Action.WITHDRAW_TYPICAL_CASE
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class RecommendNationalBase(_Body):
    action: Literal[Action.RECOMMEND_NATIONAL_BASE] = Action.RECOMMEND_NATIONAL_BASE
    note: Annotated[str, Field(min_length=1, max_length=2000, description="备注")]


class KeepMunicipalName(_Body):
    action: Literal[Action.KEEP_MUNICIPAL_NAME] = Action.KEEP_MUNICIPAL_NAME
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


Decision = Annotated[
    RequestAcceptance
    | DecideAcceptance
    | Withdraw
    | EvaluateDistrict
    | ApplyMunicipal
    | RecommendMunicipal
    | EvaluateMunicipal
    | ReviewMunicipal
    | ReportRectification
    | ReviewRectification
    | ReportViolation
    | KeepMunicipalName
    | UpdateProfile
    | SubmitData
    | SelectTypicalCase
    | WithdrawTypicalCase
    | RecommendNationalBase,
    Field(discriminator="action"),
]


def _decision_types() -> dict[Action, type[_Body]]:
    """Each action's body, read from the Decision union, in Action's order."""
    [union, _] = get_args(Decision)
    bodies: dict[Action, type[_Body]] = {
        body.model_fields["action"].default: body for body in get_args(union)
    }
    if set(bodies) != set(Action):
        raise ValueError(f"Decision lacks a body for {set(Action) - set(bodies)}")
    return {action: bodies[action] for action in Action}


DECISION_TYPES: dict[Action, type[_Body]] = _decision_types()
ACTION_LABELS: dict[Action, str] = {action: spec.label for action, spec in ACTION_SPECS.items()}


class DecisionRequest(BaseModel):
    """One decision with the actor taking it: the input of the workflow's `decide` update."""

    actor: Actor
    decision: Decision
