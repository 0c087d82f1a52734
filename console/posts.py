"""A posted form read back into the body it stands for, validated as the API validates it; a
refusal placed beside the field it is about, in the API's words (docs/console.md)."""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from api.errors import InvalidInput
from api.messages import field_problems
from console.fields import Field


def _leaf(f: Field, raw: str) -> tuple[bool, Any]:
    """(whether anything was entered, the value as the model reads it)."""
    if f.kind == "lines":
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        return bool(lines), lines
    if not raw.strip():
        return False, None
    if f.kind == "yesno":
        return True, {"true": True, "false": False}.get(raw, raw)
    if f.kind == "json":
        try:
            return True, json.loads(raw)
        except ValueError as err:
            raise InvalidInput(f"{f.path}（{f.label}）：不是有效的 JSON（{err}）", f.path) from err
    return True, raw


def _read(fields: Sequence[Field], form: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """(whether anything was entered, the body): a field left empty is left out, and so is an
    optional group with nothing entered; a required group is kept, for the model to say what
    it misses."""
    body: dict[str, Any] = {}
    entered = False
    for f in fields:
        value: Any
        if f.kind == "group":
            given, value = _read(f.children, form)
        elif f.kind == "rows":
            rows = [_read(row.children, form) for row in f.children]
            value = [row for row_given, row in rows if row_given]
            given = bool(value)
        else:
            raw = form.get(f.path, "")
            given, value = _leaf(f, raw if isinstance(raw, str) else "")
        entered = entered or given
        if given or (f.required and f.kind in ("group", "rows")):
            body[f.key] = value
    return entered, body


def read(fields: Sequence[Field], form: Mapping[str, Any]) -> dict[str, Any]:
    """The body a form post stands for."""
    return _read(fields, form)[1]


def typed(form: Mapping[str, Any]) -> dict[str, str]:
    """What the person typed, by field path, to show again with a refusal."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}


@dataclass
class Refusal:
    """Why a form was refused: messages by field path, and those for the whole form."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def _paths(fields: Sequence[Field]) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for f in fields:
        found[f.path] = f
        found.update(_paths(f.children))
    return found


def place(fields: Sequence[Field], problems: Sequence[tuple[str, str]]) -> Refusal:
    """Put each (path, message) beside its field; a message about the whole body goes beside
    the one top-level field it names (e.g. “…须在 note 中写明原因”), else above the form."""
    known = _paths(fields)
    refusal = Refusal()
    for path, message in problems:
        if path not in known:
            named = [f.path for f in fields if re.search(rf"\b{re.escape(f.key)}\b", message)]
            path = named[0] if len(named) == 1 else ""
        if path:
            refusal.fields.setdefault(path, message)
        else:
            refusal.general.append(message)
    return refusal


M = TypeVar("M", bound=BaseModel)


def validate(
    model: type[M], fields: Sequence[Field], form: Mapping[str, Any]
) -> tuple[M | None, Refusal]:
    """The body a form post stands for, validated as the API validates it; or why not, with
    the API's own Chinese messages (api.messages)."""
    try:
        data = read(fields, form)
        return model.model_validate(data), Refusal()
    except InvalidInput as err:
        return None, place(fields, [(err.field, err.message)])
    except ValidationError as err:
        problems = field_problems(err.errors())
        return None, place(fields, [(p.field, p.message) for p in problems])
