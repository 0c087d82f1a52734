"""HTML form fields generated from pydantic body models (docs/console.md "Forms are generated").

Any body model works: strings (a text area when long), booleans (是/否), numbers, dates, enums
and literals (a choice), lists of strings (one per line), nested models (a group of fields),
lists of models (a few rows of groups); anything else is one JSON text area. A field's Chinese
label comes from the API's field names (api.messages), so the console and the API's error
messages name a field alike (docs/console.md).
"""

import re
import types
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from api.messages import FIELD_LABELS, VALUE_LABELS
from domain.districts import DISTRICTS
from domain.project import CONDITION_LABELS

Kind = Literal[
    "text", "textarea", "number", "date", "yesno", "choice", "lines", "json", "group", "rows"
]

# Names the API's messages do not carry (they only appear inside other fields there).
EXTRA_LABELS: dict[str, str] = {
    **CONDITION_LABELS,
    "met": "是否满足",
    "evidence": "依据",
    "governance": "（一）组织架构和管理制度健全",
    "steady_service": "（二）稳定有效服务中小企业并形成服务品牌",
    "leading_capability": "（三）集成服务能力全市领先",
    "replicable_practice": "（四）形成可复制推广的典型做法",
    "district_last_evaluated_on": "区级最近评估日期",
    "municipal_last_evaluated_on": "市级最近评估日期",
    "emails": "收件邮箱",
    "webhook_url": "webhook 地址（http 或 https，不用则不填）",
    "rotate_secret": "webhook 地址不变时也更换签名密钥",
}
# Strings that may be longer than this get a text area.
SHORT_TEXT = 500
# Rows offered for a list of groups (e.g. service items); empty rows are left out.
ROWS = 3
HINTS = {"lines": "每行一项", "json": "JSON 格式"}


@dataclass(frozen=True)
class Field:
    """One input (or group of inputs) of a form; `path` is its name, as the API's errors say it."""

    path: str
    key: str
    label: str
    kind: Kind
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    children: tuple["Field", ...] = ()
    hint: str = ""

    @property
    def slug(self) -> str:
        """The path as an HTML id fragment."""
        return re.sub(r"[^A-Za-z0-9_-]+", "-", self.path).strip("-")


def label_of(key: str, info: FieldInfo | None = None) -> str:
    """A field's Chinese name: the API's, else the console's, else its description."""
    return (
        FIELD_LABELS.get(key)
        or EXTRA_LABELS.get(key)
        or (info.description if info else None)
        or (info.title if info else None)
        or key
    )


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the type without None, whether None is allowed)."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0], len(rest) < len(args)
    return annotation, False


def _max_length(info: FieldInfo) -> int | None:
    for item in info.metadata:
        if isinstance(item, MaxLen):
            return item.max_length
    return None


def _choices(kind: Any) -> tuple[tuple[str, str], ...] | None:
    if isinstance(kind, type) and issubclass(kind, Enum):
        labelled = [(str(m.value), getattr(m, "label", None)) for m in kind]
        return tuple(
            (v, label if isinstance(label, str) else VALUE_LABELS.get(v, v))
            for v, label in labelled
        )
    elif get_origin(kind) is Literal:
        values = [str(v.value if isinstance(v, Enum) else v) for v in get_args(kind)]
    else:
        return None
    return tuple((v, VALUE_LABELS.get(v, v)) for v in values)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _field(key: str, info: FieldInfo, path: str, required: bool) -> Field:
    kind, _ = _unwrap(info.annotation)
    label = label_of(key, info)

    def simple(form_kind: Kind, choices: tuple[tuple[str, str], ...] = ()) -> Field:
        return Field(path, key, label, form_kind, required, choices, hint=HINTS.get(form_kind, ""))

    if kind is bool:
        return simple("yesno")
    if kind in (int, float):
        return simple("number")
    if kind is date:
        return simple("date")
    if key == "district" and kind is str:
        return simple(
            "choice", tuple((code, f"{name}（{code}）") for code, name in DISTRICTS.items())
        )
    choices = _choices(kind)
    if choices is not None:
        return simple("choice", choices)
    if _is_model(kind):
        return Field(path, key, label, "group", required, children=fields_of(kind, path))
    if get_origin(kind) is dict:
        # A count per member of an enumeration (services per element): one number each.
        key_kind, _ = (get_args(kind) or (Any, Any))[:2]
        members = _choices(key_kind)
        if members is not None:
            counts = tuple(
                Field(f"{path}.{value}", value, name, "number", False) for value, name in members
            )
            return Field(path, key, label, "group", required, children=counts)
    if get_origin(kind) is list:
        [item] = get_args(kind) or (Any,)
        item, _ = _unwrap(item)
        if item is str:
            return simple("lines")
        if _is_model(item):
            rows = tuple(
                Field(
                    f"{path}[{i}]",
                    str(i),
                    f"第{i + 1}项",
                    "group",
                    False,
                    children=fields_of(item, f"{path}[{i}]"),
                )
                for i in range(ROWS)
            )
            return Field(path, key, label, "rows", required, children=rows)
    if kind is str:
        long = (_max_length(info) or SHORT_TEXT + 1) > SHORT_TEXT
        return simple("textarea" if long else "text")
    return simple("json")


def fields_of(model: type[BaseModel], prefix: str = "") -> tuple[Field, ...]:
    """The form fields of a body model (its `action` discriminator left out, a note last)."""
    fields = [
        _field(key, info, f"{prefix}.{key}" if prefix else key, info.is_required())
        for key, info in model.model_fields.items()
        if key != "action"
    ]
    return tuple(sorted(fields, key=lambda f: f.key == "note"))
