"""Chinese examples for every request body, shown in /docs and tried by the property tests."""

from typing import Any

from api.actions import ACTION_DOCS
from api.actions import LOW_SCORES as LOW_SCORES
from api.actions import SCORES as SCORES
from api.actions import Example as Example
from domain.actions import Action

PROJECT: dict[str, Any] = {
    "unit": {
        "name": "上海示例检测技术有限公司",
        "credit_code": "91310115MA1H7XK2BM",
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

# Each action's examples are declared with the action (api.actions).
ACTIONS: dict[Action, dict[str, Example]] = {
    action: dict(doc.examples) for action, doc in ACTION_DOCS.items()
}
