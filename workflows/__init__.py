"""Deterministic process code: the project lifecycle and the names it is known by in Temporal."""

TASK_QUEUE = "qis-lifecycle"


def workflow_id(project_id: str) -> str:
    return f"project-{project_id}"
