"""The workflow's typed input: a new project, an imported one, or a continued run's state."""

from pydantic import BaseModel

from domain.effects import Effect
from domain.policy import Policy
from domain.project import ImportedNaming, ProjectSpec
from domain.state import ProjectState
from domain.workdays import WorkCalendar


class FirstStep(BaseModel):
    """A new process's first step as its starter computed it: the state and its effects."""

    state: ProjectState
    effects: list[Effect]


class LifecycleInput(BaseModel):
    project_id: str
    spec: ProjectSpec
    policy: Policy
    imported: ImportedNaming | None = None
    state: ProjectState | None = None
    calendar: WorkCalendar | None = None
    """The work calendar a new process starts with (docs/deadlines.md); without one, the
    process loads it itself before its first wait."""
    first: FirstStep | None = None
    """The first step, computed once by the starter (workflows.start.first_step); the process
    takes it as its own, so the API's answer and the process agree (docs/operations.md)."""
