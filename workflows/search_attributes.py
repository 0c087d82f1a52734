"""The search attributes of docs/api-guide.md, kept current by the workflow at every change.

This module is their one list: the workflow sets them, and the embedded dev server, the
namespace registration (infra.temporal), the tests' servers and the compose job's script
(deploy/temporal/namespace.sh, checked by tests/test_compose.py) are all read from `ALL`.
"""

from typing import Any

from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey

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
