"""Typed errors the services raise; `api.handlers` turns each type into its HTTP status.

Services know nothing of HTTP: they say what went wrong in Chinese, in words a person can act on.
"""

from collections.abc import Sequence


class ServiceError(Exception):
    """A request that cannot be served as asked, with a message for the person who sent it."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(ServiceError):
    """No token, or a token this system does not know (or has revoked)."""

    code = "not_authenticated"


class NotPermitted(ServiceError):
    """A known token whose role or scope does not cover the request."""

    code = "forbidden"


class NotFound(ServiceError):
    """An unknown project or action; `known` lists what exists where that helps."""

    code = "not_found"

    def __init__(self, message: str, known: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.known = list(known)


class Conflict(ServiceError):
    """A request the current state does not accept; `allowed_actions` says what would be."""

    code = "conflict"

    def __init__(self, message: str, allowed_actions: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.allowed_actions = None if allowed_actions is None else list(allowed_actions)


class DecisionRefused(Conflict):
    """The workflow's validator refused the decision in the project's current stage."""

    code = "decision_refused"


class ProjectEnded(Conflict):
    """The project's process has ended: it takes no more decisions."""

    code = "project_ended"


class DuplicateProject(Conflict):
    """A live project with the same credit code, district and focus exists."""

    code = "duplicate_project"


class InvalidInput(ServiceError):
    """Input that is well-formed but wrong, naming the field."""

    code = "invalid_input"

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class Unavailable(ServiceError):
    """Temporal or the database did not answer in time; the client may retry."""

    code = "unavailable"

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
