"""What the API adds to each action (domain.actions): its documented examples and field labels.

The route of an action (api.routes.actions), its body model (api.schemas.ACTION_BODIES), the
examples in /docs (api.examples.ACTIONS) and the Chinese field names in error messages
(api.messages) are all read from here and from the domain's declaration.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from domain.actions import ACTION_SPECS, Action, ActionSpec
from domain.decisions import DECISION_TYPES

Example = dict[str, Any]

SCORES = {"operation": 86, "capability": 90, "effectiveness": 82}
LOW_SCORES = {"operation": 62, "capability": 70, "effectiveness": 55}

# Fields every action body has.
COMMON_FIELDS = {"note": "备注"}
SCORE_FIELDS = {
    "scores": "评分",
    "operation": "运行情况",
    "capability": "服务能力",
    "effectiveness": "服务成效",
}


@dataclass(frozen=True)
class ActionDoc:
    """One action as the API documents it.

    `examples` are the OpenAPI examples of its body (name: {summary, value}); `fields` names
    in Chinese each field of its body (nested ones too) for validation messages.
    """

    action: Action
    examples: Mapping[str, Example]
    fields: Mapping[str, str]

    @property
    def spec(self) -> ActionSpec:
        return ACTION_SPECS[self.action]

    @property
    def body_required(self) -> bool:
        """Whether a request must send a body: not when an empty body is a valid decision
        (every field has a default and no rule asks for one of them)."""
        try:
            DECISION_TYPES[self.action].model_validate({})
        except ValidationError:
            return True
        return False


DOCS: tuple[ActionDoc, ...] = (
    ActionDoc(
        action=Action.REQUEST_ACCEPTANCE,
        examples={
            "申请验收": {
                "summary": "建设完成，申请验收",
                "value": {"note": "已完成建设，申请组织验收"},
            },
            "无备注": {"summary": "不带备注（也可不发请求体）", "value": {}},
        },
        fields={},
    ),
    ActionDoc(
        action=Action.DECIDE_ACCEPTANCE,
        examples={
            "通过": {"summary": "验收通过", "value": {"passed": True, "note": "现场验收通过"}},
            "不通过": {
                "summary": "验收不通过",
                "value": {
                    "passed": False,
                    "note": "检验检测服务能力证明材料不足，请补充后重新申请",
                },
            },
        },
        fields={"passed": "是否通过"},
    ),
    ActionDoc(
        action=Action.WITHDRAW,
        examples={
            "撤回": {"summary": "撤回申请", "value": {"reason": "单位经营调整，暂不建设"}},
        },
        fields={"reason": "原因"},
    ),
    ActionDoc(
        action=Action.EVALUATE_DISTRICT,
        examples={
            "仍符合": {
                "summary": "定期评估：仍符合基本条件",
                "value": {"meets_conditions": True, "note": "年度评估符合要求"},
            },
            "不再符合": {
                "summary": "定期评估：不再符合基本条件（取消命名）",
                "value": {"meets_conditions": False, "note": "服务场地已不具备"},
            },
            "及时取消": {
                "summary": "定期评估之间核查：不再符合基本条件（第九条第二项及时取消，须写明理由）",
                "value": {"meets_conditions": False, "note": "服务场地租约已终止，无法继续服务"},
            },
        },
        fields={"meets_conditions": "是否仍符合基本条件"},
    ),
    ActionDoc(
        action=Action.APPLY_MUNICIPAL,
        examples={
            "申请": {
                "summary": "申请市级命名（第七条四项条件）",
                "value": {
                    "conditions": {
                        "governance": True,
                        "steady_service": True,
                        "leading_capability": True,
                        "replicable_practice": True,
                    },
                    "note": "已形成“检测+标准”一站式服务品牌",
                },
            },
        },
        fields={"conditions": "市级命名条件"},
    ),
    ActionDoc(
        action=Action.RECOMMEND_MUNICIPAL,
        examples={
            "推荐": {"summary": "推荐至市局", "value": {"recommend": True}},
            "不推荐": {
                "summary": "不予推荐",
                "value": {"recommend": False, "note": "服务中小企业数量尚不稳定"},
            },
        },
        fields={"recommend": "是否推荐"},
    ),
    ActionDoc(
        action=Action.EVALUATE_MUNICIPAL,
        examples={
            "通过": {
                "summary": "市级命名评估通过",
                "value": {"passed": True, "scores": SCORES, "note": "专家评审通过"},
            },
            "不通过": {
                "summary": "市级命名评估不通过",
                "value": {"passed": False, "scores": LOW_SCORES, "note": "服务成效不足"},
            },
        },
        fields={"passed": "是否通过", **SCORE_FIELDS},
    ),
    ActionDoc(
        action=Action.REVIEW_MUNICIPAL,
        examples={
            "通过": {"summary": "三年评估通过", "value": {"passed": True, "scores": SCORES}},
            "未达标": {
                "summary": "三年评估未达标（进入半年整改期）",
                "value": {"passed": False, "scores": LOW_SCORES, "note": "服务效能未达标"},
            },
        },
        fields={"passed": "是否通过", **SCORE_FIELDS},
    ),
    ActionDoc(
        action=Action.REPORT_RECTIFICATION,
        examples={
            "整改报告": {
                "summary": "提交整改报告",
                "value": {
                    "report": (
                        "已补充检验检测人员5名，新增计量校准项目12项，服务企业数同比增长30%。"
                    )
                },
            },
        },
        fields={"report": "整改报告"},
    ),
    ActionDoc(
        action=Action.REVIEW_RECTIFICATION,
        examples={
            "通过": {"summary": "整改复评通过", "value": {"passed": True}},
            "不通过": {
                "summary": "整改复评不通过（取消市级命名）",
                "value": {"passed": False, "note": "整改措施未落实"},
            },
        },
        fields={"passed": "是否通过"},
    ),
    ActionDoc(
        action=Action.REPORT_VIOLATION,
        examples={
            "区局撤消": {
                "summary": "区市场监管局认定提供虚假材料",
                "value": {
                    "scope": "district",
                    "finding": "false_material",
                    "note": "验收材料造假",
                },
            },
            "市局撤消": {
                "summary": "市市场监管局认定提供不实数据（含答复区局移送）",
                "value": {
                    "scope": "municipal",
                    "finding": "false_data",
                    "note": "年度报送的服务企业数与核查结果不符",
                },
            },
        },
        fields={"scope": "认定范围", "finding": "认定事实"},
    ),
    ActionDoc(
        action=Action.KEEP_MUNICIPAL_NAME,
        examples={
            "保留": {
                "summary": "答复区局移送：保留市级命名",
                "value": {"reason": "所涉材料仅用于区级验收，市级评估材料经核查属实"},
            },
        },
        fields={"reason": "原因"},
    ),
    ActionDoc(
        action=Action.UPDATE_PROFILE,
        examples={
            "联系人": {
                "summary": "更换联系人（第十一条：公开的联络方式保持准确）",
                "value": {
                    "contact": {
                        "person": "李四",
                        "phone": "021-11111111",
                        "email": "contact@example.cn",
                    }
                },
            },
            "服务事项": {
                "summary": "增加服务事项",
                "value": {
                    "service_items": [
                        {"element": "metrology", "title": "计量校准服务"},
                        {"element": "standards", "title": "团体标准制定辅导"},
                    ]
                },
            },
            "基本条件": {
                "summary": "更新基本条件及依据",
                "value": {
                    "basic_conditions": {
                        "plan_fit": {"met": True, "evidence": "列入区产业发展规划重点项目"},
                        "five_element_capability": {"met": True, "evidence": "五要素均有服务团队"},
                        "systems_and_resources": {"met": True, "evidence": "年度经费已落实"},
                    }
                },
            },
        },
        fields={"contact": "联系人", "service_items": "服务事项", "basic_conditions": "基本条件"},
    ),
    ActionDoc(
        action=Action.SUBMIT_DATA,
        examples={
            "年度数据": {
                "summary": "报送2025年度成效数据（第九条第一项）；区局报告报送前可再次报送以更正",
                "value": {
                    "period": "2025",
                    "smes_served": 128,
                    "services": {
                        "metrology": 210,
                        "standards": 35,
                        "certification_accreditation": 18,
                        "inspection_testing": 460,
                        "quality_management": 52,
                    },
                    "improvements": "帮助区内生物医药企业缩短检测周期约三成，新增团体标准2项。",
                },
            }
        },
        fields={
            "period": "数据周期",
            "smes_served": "服务中小企业数",
            "services": "各要素服务次数",
            "improvements": "成效说明",
        },
    ),
    ActionDoc(
        action=Action.SELECT_TYPICAL_CASE,
        examples={
            "典型案例": {
                "summary": "遴选为典型案例并公布（第九条第四项）",
                "value": {
                    "title": "“一站式”计量检测服务助力生物医药企业研发提速",
                    "summary": "整合计量、检测、认证资源，为园区中小企业提供一站式服务。",
                },
            }
        },
        fields={"title": "案例标题", "summary": "案例摘要"},
    ),
    ActionDoc(
        action=Action.WITHDRAW_TYPICAL_CASE,
        examples={"撤回": {"summary": "撤回典型案例", "value": {"reason": "案例内容需更新"}}},
        fields={"reason": "原因"},
    ),
    ActionDoc(
        action=Action.RECOMMEND_NATIONAL_BASE,
        examples={
            "推荐": {
                "summary": "优先推荐市级项目申报国家基地（第十二条）",
                "value": {"note": "集成服务能力全市领先，推荐申报2027年国家基地"},
            }
        },
        fields={},
    ),
)


def _by_action(docs: tuple[ActionDoc, ...]) -> dict[Action, ActionDoc]:
    """The docs in Action's order; every action exactly once, else ValueError."""
    declared = [d.action for d in docs]
    if sorted(declared) != sorted(Action):
        raise ValueError(f"actions not documented exactly once: {sorted(declared)}")
    by_action = {d.action: d for d in docs}
    return {action: by_action[action] for action in Action}


def _field_labels(docs: tuple[ActionDoc, ...]) -> dict[str, str]:
    """Every action field's Chinese name; ValueError if two actions name one field apart."""
    labels = dict(COMMON_FIELDS)
    for doc in docs:
        for field, label in doc.fields.items():
            if labels.setdefault(field, label) != label:
                raise ValueError(f"{doc.action}: field {field} is “{labels[field]}” elsewhere")
    return labels


ACTION_DOCS: dict[Action, ActionDoc] = _by_action(DOCS)
ACTION_FIELD_LABELS: dict[str, str] = _field_labels(DOCS)
