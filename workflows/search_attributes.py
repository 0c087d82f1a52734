"""The search attributes of docs/api-guide.md, kept current by the workflow at every change.

This module is their one list: the workflow sets them, and the embedded dev server, the
namespace registration (infra.temporal), the tests' servers and the compose job's script
(deploy/temporal/namespace.sh, checked by tests/test_compose.py) are all read from `ALL`.
`values` is their one mapping from a project's state: the start sets them from it, and the
workflow upserts what changed.
"""

from datetime import datetime
from typing import Any

from temporalio.common import (
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
)

from domain.state import ProjectState

DISTRICT = SearchAttributeKey.for_keyword("QisDistrict")
STAGE = SearchAttributeKey.for_keyword("QisStage")
LEVEL = SearchAttributeKey.for_keyword("QisLevel")
PROJECT_TYPE = SearchAttributeKey.for_keyword("QisProjectType")
CREDIT_CODE = SearchAttributeKey.for_keyword("QisCreditCode")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("QisNextDeadline")
PROJECT_NAME = SearchAttributeKey.for_text("QisProjectName")

KEYWORDS = (DISTRICT, STAGE, LEVEL, PROJECT_TYPE, CREDIT_CODE)
ALL: tuple[SearchAttributeKey[Any], ...] = (*KEYWORDS, NEXT_DEADLINE, PROJECT_NAME)

_CLI_KINDS = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.TEXT: "Text",
}


def cli_kind(key: SearchAttributeKey[Any]) -> str:
    """The type's name as the `temporal` command line writes it (Keyword, Datetime, Text)."""
    return _CLI_KINDS[key.indexed_value_type]


def values(state: ProjectState, *, name: bool = True) -> list[tuple[SearchAttributeKey[Any], Any]]:
    """Each attribute's value for the state: None for a next deadline the project has not.
    QisProjectName only with `name` (a run of release 4 or later)."""
    found: list[tuple[SearchAttributeKey[Any], str | datetime | None]] = [
        (DISTRICT, state.spec.district),
        (STAGE, state.stage.value),
        (LEVEL, state.level.value),
        (PROJECT_TYPE, state.spec.type.value),
        (CREDIT_CODE, state.spec.unit.credit_code),
        (NEXT_DEADLINE, state.next_deadline),
    ]
    if name:
        found.append((PROJECT_NAME, state.display_name))
    return found


def at_start(state: ProjectState) -> TypedSearchAttributes:
    """The attributes a new process starts with: those its first state has."""
    return TypedSearchAttributes(
        [SearchAttributePair(key, value) for key, value in values(state) if value is not None]
    )
