"""Deterministic process code: the project lifecycle and the names it is known by in Temporal."""

TASK_QUEUE = "qis-lifecycle"
WORKFLOW_ID_PREFIX = "project-"


def workflow_id(project_id: str) -> str:
    return f"{WORKFLOW_ID_PREFIX}{project_id}"
