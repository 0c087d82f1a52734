"""The search attributes of docs/api-guide.md, kept current by the workflow at every change."""

from temporalio.common import SearchAttributeKey

DISTRICT = SearchAttributeKey.for_keyword("QisDistrict")
STAGE = SearchAttributeKey.for_keyword("QisStage")
LEVEL = SearchAttributeKey.for_keyword("QisLevel")
PROJECT_TYPE = SearchAttributeKey.for_keyword("QisProjectType")
CREDIT_CODE = SearchAttributeKey.for_keyword("QisCreditCode")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("QisNextDeadline")

KEYWORDS = (DISTRICT, STAGE, LEVEL, PROJECT_TYPE, CREDIT_CODE)
