"""Stages of the lifecycle and levels of a project (docs/api-guide.md)."""

from enum import StrEnum


class Stage(StrEnum):
    BUILDING = "building"
    ACCEPTANCE = "acceptance"
    DISTRICT_NAMED = "district_named"
    MUNICIPAL_RECOMMENDATION = "municipal_recommendation"
    MUNICIPAL_EVALUATION = "municipal_evaluation"
    MUNICIPAL_NAMED = "municipal_named"
    RECTIFICATION = "rectification"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def is_end(self) -> bool:
        return self in END_STAGES


STAGE_LABELS: dict[Stage, str] = {
    Stage.BUILDING: "建设中",
    Stage.ACCEPTANCE: "验收中",
    Stage.DISTRICT_NAMED: "区级项目",
    Stage.MUNICIPAL_RECOMMENDATION: "待区局推荐市级",
    Stage.MUNICIPAL_EVALUATION: "市级评估中",
    Stage.MUNICIPAL_NAMED: "市级项目",
    Stage.RECTIFICATION: "整改期",
    Stage.WITHDRAWN: "已撤回",
    Stage.REJECTED: "申请已终止",
    Stage.CANCELLED: "命名已取消",
    Stage.REVOKED: "命名已撤消",
}

END_STAGES = frozenset({Stage.WITHDRAWN, Stage.REJECTED, Stage.CANCELLED, Stage.REVOKED})

# Stages in which the project is a district-level project subject to district evaluation.
DISTRICT_LEVEL_STAGES = frozenset(
    {Stage.DISTRICT_NAMED, Stage.MUNICIPAL_RECOMMENDATION, Stage.MUNICIPAL_EVALUATION}
)
MUNICIPAL_LEVEL_STAGES = frozenset({Stage.MUNICIPAL_NAMED, Stage.RECTIFICATION})


class Level(StrEnum):
    NONE = "none"
    DISTRICT = "district"
    MUNICIPAL = "municipal"

    @property
    def label(self) -> str:
        return {"none": "未命名", "district": "区级", "municipal": "市级"}[self.value]
