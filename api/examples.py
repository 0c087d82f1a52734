"""Chinese examples for every request body, shown in /docs and tried by the property tests."""

from typing import Any

from domain.decisions import Action

PROJECT: dict[str, Any] = {
    "unit": {
        "name": "上海示例检测技术有限公司",
        "credit_code": "91350100M000100Y43",
        "contact": {"person": "张三", "phone": "021-00000000", "email": "qis@example.cn"},
    },
    "district": "310115",
    "type": "industry",
    "focus": "生物医药",
    "service_items": [
        {"element": "metrology", "title": "计量校准服务"},
        {"element": "inspection_testing", "title": "生物医药产品检验检测"},
    ],
    "basic_conditions": {
        "plan_fit": True,
        "five_element_capability": True,
        "systems_and_resources": True,
    },
}

REGIONAL_PROJECT: dict[str, Any] = {
    **PROJECT,
    "type": "regional",
    "focus": "张江科学城",
    "service_items": [{"element": "standards", "title": "团体标准制定咨询"}],
}

IMPORTED_DISTRICT: dict[str, Any] = {**PROJECT, "district_named_on": "2024-05-20"}
IMPORTED_MUNICIPAL: dict[str, Any] = {
    **PROJECT,
    "district_named_on": "2023-03-15",
    "municipal_named_on": "2024-07-01",
}

SCORES = {"operation": 86, "capability": 90, "effectiveness": 82}
LOW_SCORES = {"operation": 62, "capability": 70, "effectiveness": 55}

Example = dict[str, Any]

ACTIONS: dict[Action, dict[str, Example]] = {
    Action.REQUEST_ACCEPTANCE: {
        "申请验收": {
            "summary": "建设完成，申请验收",
            "value": {"note": "已完成建设，申请组织验收"},
        },
        "无备注": {"summary": "不带备注（也可不发请求体）", "value": {}},
    },
    Action.DECIDE_ACCEPTANCE: {
        "通过": {"summary": "验收通过", "value": {"passed": True, "note": "现场验收通过"}},
        "不通过": {
            "summary": "验收不通过",
            "value": {"passed": False, "note": "检验检测服务能力证明材料不足，请补充后重新申请"},
        },
    },
    Action.WITHDRAW: {
        "撤回": {"summary": "撤回申请", "value": {"reason": "单位经营调整，暂不建设"}},
    },
    Action.EVALUATE_DISTRICT: {
        "仍符合": {
            "summary": "定期评估：仍符合基本条件",
            "value": {"meets_conditions": True, "note": "年度评估符合要求"},
        },
        "不再符合": {
            "summary": "定期评估：不再符合基本条件（取消命名）",
            "value": {"meets_conditions": False, "note": "服务场地已不具备"},
        },
    },
    Action.APPLY_MUNICIPAL: {
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
    Action.RECOMMEND_MUNICIPAL: {
        "推荐": {"summary": "推荐至市局", "value": {"recommend": True}},
        "不推荐": {
            "summary": "不予推荐",
            "value": {"recommend": False, "note": "服务中小企业数量尚不稳定"},
        },
    },
    Action.EVALUATE_MUNICIPAL: {
        "通过": {
            "summary": "市级命名评估通过",
            "value": {"passed": True, "scores": SCORES, "note": "专家评审通过"},
        },
        "不通过": {
            "summary": "市级命名评估不通过",
            "value": {"passed": False, "scores": LOW_SCORES, "note": "服务成效不足"},
        },
    },
    Action.REVIEW_MUNICIPAL: {
        "通过": {"summary": "三年评估通过", "value": {"passed": True, "scores": SCORES}},
        "未达标": {
            "summary": "三年评估未达标（进入半年整改期）",
            "value": {"passed": False, "scores": LOW_SCORES, "note": "服务效能未达标"},
        },
    },
    Action.REPORT_RECTIFICATION: {
        "整改报告": {
            "summary": "提交整改报告",
            "value": {
                "report": "已补充检验检测人员5名，新增计量校准项目12项，服务企业数同比增长30%。"
            },
        },
    },
    Action.REVIEW_RECTIFICATION: {
        "通过": {"summary": "整改复评通过", "value": {"passed": True}},
        "不通过": {
            "summary": "整改复评不通过（取消市级命名）",
            "value": {"passed": False, "note": "整改措施未落实"},
        },
    },
    Action.REPORT_VIOLATION: {
        "区局撤消": {
            "summary": "区市场监管局认定提供虚假材料",
            "value": {"scope": "district", "finding": "false_material", "note": "验收材料造假"},
        },
        "市局撤消": {
            "summary": "市市场监管局认定提供不实数据",
            "value": {"scope": "municipal", "finding": "false_data"},
        },
    },
}
