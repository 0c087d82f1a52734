"""Log lines for ops: one JSON object per line, with the workflow and project where known.

Temporal's SDK puts the workflow's or activity's details on records logged through
`workflow.logger` / `activity.logger`; those become `workflow_id`, `run_id` and `project_id`.
Whatever a line says, bearer tokens, webhook signing secrets and passwords in URLs are masked
before it is written: a log is read by more people than a secret may be.
"""

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from workflows import WORKFLOW_ID_PREFIX

_SECRETS = [
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1***"),
    (re.compile(r"whsec_[A-Za-z0-9+/=]+"), "whsec_***"),
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
]


def mask(text: str) -> str:
    """`text` with tokens, webhook secrets and URL passwords replaced by ***."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the Temporal context."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        context = getattr(record, "temporal_workflow", None) or getattr(
            record, "temporal_activity", None
        )
        if isinstance(context, dict):
            workflow_id = context.get("workflow_id")
            if workflow_id:
                line["workflow_id"] = workflow_id
                if str(workflow_id).startswith(WORKFLOW_ID_PREFIX):
                    line["project_id"] = str(workflow_id).removeprefix(WORKFLOW_ID_PREFIX)
            for key in ("run_id", "workflow_type", "activity_type", "attempt"):
                if key in context:
                    line[key] = context[key]
        if record.exc_info:
            line["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class MaskedText(logging.Formatter):
    """Timestamped text lines for a person at a terminal (QIS_LOG_FORMAT=text), masked too."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def configure(log_format: str) -> None:
    """Log INFO and above to stderr as JSON lines (or masked text); pgserver only on failure."""
    handler = logging.StreamHandler()
    handler.setFormatter(MaskedText() if log_format == "text" else JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
