"""The decisions people take (API.md "Actions"), one typed body each."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.actors import Actor

Note = Annotated[str | None, Field(default=None, max_length=2000, description="备注")]


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

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.REQUEST_ACCEPTANCE: "申请验收",
    Action.DECIDE_ACCEPTANCE: "验收结论",
    Action.WITHDRAW: "撤回申请",
    Action.EVALUATE_DISTRICT: "区级定期评估",
    Action.APPLY_MUNICIPAL: "申请市级命名",
    Action.RECOMMEND_MUNICIPAL: "区局推荐意见",
    Action.EVALUATE_MUNICIPAL: "市级命名评估",
    Action.REVIEW_MUNICIPAL: "市级三年评估",
    Action.REPORT_RECTIFICATION: "提交整改报告",
    Action.REVIEW_RECTIFICATION: "整改复评",
    Action.REPORT_VIOLATION: "违规认定（第十条）",
}


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
        # DOMAIN.md §5: a failed acceptance goes back to the unit with its reasons.
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
    | ReportViolation,
    Field(discriminator="action"),
]

DECISION_TYPES: dict[Action, type[_Body]] = {
    Action.REQUEST_ACCEPTANCE: RequestAcceptance,
    Action.DECIDE_ACCEPTANCE: DecideAcceptance,
    Action.WITHDRAW: Withdraw,
    Action.EVALUATE_DISTRICT: EvaluateDistrict,
    Action.APPLY_MUNICIPAL: ApplyMunicipal,
    Action.RECOMMEND_MUNICIPAL: RecommendMunicipal,
    Action.EVALUATE_MUNICIPAL: EvaluateMunicipal,
    Action.REVIEW_MUNICIPAL: ReviewMunicipal,
    Action.REPORT_RECTIFICATION: ReportRectification,
    Action.REVIEW_RECTIFICATION: ReviewRectification,
    Action.REPORT_VIOLATION: ReportViolation,
}


class DecisionRequest(BaseModel):
    """One decision with the actor taking it: the input of the workflow's `decide` update."""

    actor: Actor
    decision: Decision
