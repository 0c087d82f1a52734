"""Validation errors in Chinese, each naming the field (pydantic's own messages are English)."""

from collections.abc import Sequence
from typing import Any

from api.actions import ACTION_FIELD_LABELS
from api.schemas import FieldProblem
from domain.decisions import Finding
from domain.elements import ELEMENT_LABELS
from domain.project import ProjectType
from domain.stages import STAGE_LABELS, Level

# Chinese names of the values an enum field takes, shown beside the codes in messages.
VALUE_LABELS: dict[str, str] = {
    **{e.value: label for e, label in ELEMENT_LABELS.items()},
    **{s.value: label for s, label in STAGE_LABELS.items()},
    **{level.value: level.label for level in Level},
    **{t.value: t.label for t in ProjectType},
    **{f.value: f.label for f in Finding},
    "district": "区级",
    "municipal": "市级",
}

FIELD_LABELS = {
    "unit": "实施单位",
    "name": "名称",
    "credit_code": "统一社会信用代码",
    "contact": "联系方式",
    "person": "联系人",
    "phone": "联系电话",
    "email": "电子邮箱",
    "district": "区代码",
    "type": "项目类型",
    "focus": "产业或区域名称",
    "service_items": "服务事项",
    "element": "要素",
    "title": "服务事项名称",
    "basic_conditions": "基本条件",
    "plan_fit": "符合区产业规划",
    "five_element_capability": "五要素服务能力",
    "systems_and_resources": "制度与资源保障",
    "district_named_on": "区级命名日期",
    "municipal_named_on": "市级命名日期",
    **ACTION_FIELD_LABELS,  # the fields of the action bodies, declared with them
    "stage": "阶段",
    "level": "级别",
    "limit": "每页条数",
    "offset": "起始位置",
    "Idempotency-Key": "幂等键",
}

_PLAIN = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段，请检查拼写（可在 /docs 查看字段列表）",
    "string_type": "应为字符串",
    "bool_type": "应为布尔值 true 或 false",
    "bool_parsing": "应为布尔值 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，格式 YYYY-MM-DD",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "none_required": "应为 null",
    "string_unicode": "应为有效的 UTF-8 字符串",
}


def _text(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    loc = [str(p) for p in error.get("loc", ())]
    if kind == "missing" and loc == ["body"]:
        return "缺少请求体：请发送 JSON（Content-Type: application/json）"
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "string_too_short":
        return (
            "不能为空" if ctx.get("min_length") == 1 else f"长度至少为{ctx.get('min_length')}个字符"
        )
    if kind == "string_too_long":
        return f"长度不能超过{ctx.get('max_length')}个字符"
    if kind == "too_short":
        return f"至少需要{ctx.get('min_length')}项"
    if kind == "too_long":
        return f"最多{ctx.get('max_length')}项"
    if kind in ("enum", "literal_error"):
        codes = str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "").split(", ")
        shown = [f"{c}（{VALUE_LABELS[c]}）" if c in VALUE_LABELS else c for c in codes]
        return f"应为以下之一：{'、'.join(shown)}"
    if kind == "string_pattern_mismatch":
        field = loc[-1] if loc else ""
        if field == "phone":
            return "电话号码只能包含数字、空格和 + - ( )，例如 021-00000000"
        if field == "email":
            return "电子邮箱格式不正确，例如 qis@example.cn"
        return f"格式不正确（应匹配 {ctx.get('pattern')}）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{ctx.get('le', ctx.get('lt'))}"
    if kind == "json_invalid":
        return f"请求体不是有效的 JSON：{ctx.get('error', '')}"
    if kind in ("value_error", "assertion_error"):
        return (
            str(error.get("msg", ""))
            .removeprefix("Value error, ")
            .removeprefix("Assertion failed, ")
        )
    return str(error.get("msg", "取值无效"))


def field_path(loc: Sequence[int | str]) -> str:
    """`("body", "service_items", 0, "element")` as `service_items[0].element`."""
    # A dict's key that is wrong (an unknown element in `services`) is named by the key itself.
    parts = [part for part in loc if part != "[key]"]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "请求体"


def field_problems(errors: Sequence[Any]) -> list[FieldProblem]:
    """One FieldProblem per validation error, the field named by path and Chinese label."""
    problems = []
    for error in errors:
        loc = list(error.get("loc", ()))
        path = field_path(loc)
        names = [p for p in loc if isinstance(p, str)]
        label = FIELD_LABELS.get(names[-1]) if names else None
        where = f"{path}（{label}）" if label and path != "请求体" else path
        problems.append(FieldProblem(field=path, message=f"{where}：{_text(error)}"))
    return problems
