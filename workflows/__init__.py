"""Deterministic process code: the project lifecycle and the names it is known by in Temporal."""

TASK_QUEUE = "qis-lifecycle"
WORKFLOW_ID_PREFIX = "project-"


def workflow_id(project_id: str) -> str:
    return f"{WORKFLOW_ID_PREFIX}{project_id}"


REPORT_ID_PREFIX = "district-report-"


def report_workflow_id(district: str, period: str) -> str:
    """The id of a district's report process for a data period (workflows/district_report.py)."""
    return f"{REPORT_ID_PREFIX}{district}-{period}"


def report_of(workflow_or_project_id: str) -> tuple[str, str] | None:
    """(district, period) when the id is a district report's, else None."""
    if not workflow_or_project_id.startswith(REPORT_ID_PREFIX):
        return None
    district, _, period = workflow_or_project_id.removeprefix(REPORT_ID_PREFIX).partition("-")
    return (district, period) if district and period else None
