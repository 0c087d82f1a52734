"""The state one project's process carries, across continue-as-new, for its whole life."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from domain.actors import Actor, Role
from domain.decisions import Action
from domain.naming import district_project_name
from domain.policy import Policy
from domain.project import ProjectSpec
from domain.stages import Level, Stage


class TaskKind(StrEnum):
    ACCEPTANCE = "acceptance"
    DISTRICT_EVALUATION = "district_evaluation"
    MUNICIPAL_RECOMMENDATION = "municipal_recommendation"
    MUNICIPAL_EVALUATION = "municipal_evaluation"
    MUNICIPAL_REVIEW = "municipal_review"
    RECTIFICATION_REVIEW = "rectification_review"

    @property
    def label(self) -> str:
        return TASK_LABELS[self]

    @property
    def action(self) -> Action:
        return TASK_ACTIONS[self]

    @property
    def role(self) -> Role:
        return TASK_ROLES[self]


TASK_LABELS: dict[TaskKind, str] = {
    TaskKind.ACCEPTANCE: "项目验收",
    TaskKind.DISTRICT_EVALUATION: "区级项目定期评估",
    TaskKind.MUNICIPAL_RECOMMENDATION: "市级命名申请推荐",
    TaskKind.MUNICIPAL_EVALUATION: "市级命名评估",
    TaskKind.MUNICIPAL_REVIEW: "市级项目三年评估",
    TaskKind.RECTIFICATION_REVIEW: "整改复评",
}
TASK_ACTIONS: dict[TaskKind, Action] = {
    TaskKind.ACCEPTANCE: Action.DECIDE_ACCEPTANCE,
    TaskKind.DISTRICT_EVALUATION: Action.EVALUATE_DISTRICT,
    TaskKind.MUNICIPAL_RECOMMENDATION: Action.RECOMMEND_MUNICIPAL,
    TaskKind.MUNICIPAL_EVALUATION: Action.EVALUATE_MUNICIPAL,
    TaskKind.MUNICIPAL_REVIEW: Action.REVIEW_MUNICIPAL,
    TaskKind.RECTIFICATION_REVIEW: Action.REVIEW_RECTIFICATION,
}
TASK_ROLES: dict[TaskKind, Role] = {
    TaskKind.ACCEPTANCE: Role.DISTRICT_BUREAU,
    TaskKind.DISTRICT_EVALUATION: Role.DISTRICT_BUREAU,
    TaskKind.MUNICIPAL_RECOMMENDATION: Role.DISTRICT_BUREAU,
    TaskKind.MUNICIPAL_EVALUATION: Role.MUNICIPAL_BUREAU,
    TaskKind.MUNICIPAL_REVIEW: Role.MUNICIPAL_BUREAU,
    TaskKind.RECTIFICATION_REVIEW: Role.MUNICIPAL_BUREAU,
}


class Task(BaseModel):
    """A decision the process waits for, with its due date."""

    kind: TaskKind
    action: Action
    role: Role
    opened_at: datetime
    due_at: datetime
    reminder_at: datetime | None = None
    reminded: bool = False
    escalated: bool = False


class NameEnding(BaseModel):
    kind: Literal["cancelled", "revoked"]
    at: datetime
    on: date
    by: Role
    reason: str


class NameRecord(BaseModel):
    """One entry of the names register; ended by appending an ending, never edited."""

    key: str
    level: Level
    name: str
    granted_at: datetime
    granted_on: date
    granted_by: Role
    ending: NameEnding | None = None

    @property
    def active(self) -> bool:
        return self.ending is None


class HistoryEntry(BaseModel):
    """One decision or timer event, in order."""

    seq: int
    at: datetime
    event: str
    actor: Actor | None = None
    stage_before: Stage
    stage_after: Stage
    summary: str
    payload: dict[str, Any] = Field(default_factory=dict)


# The state keeps the latest history entries only: it is the payload of every continue-as-new
# and update result, so it must stay far below Temporal's 2 MB payload limit. The full record
# of decisions is the `decisions` table; timer events also went out through the outbox.
MAX_HISTORY = 500
# Reports a unit may file in one rectification period (Art. 9.3 expects one; a few more allow
# corrections, and a cap keeps a process from being flooded).
MAX_RECTIFICATION_REPORTS = 10


class ProjectState(BaseModel):
    """Everything the process knows; the query result and what continue-as-new carries."""

    project_id: str
    spec: ProjectSpec
    policy: Policy
    stage: Stage
    registered_at: datetime
    seq: int = 0
    names: list[NameRecord] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    district_named_on: date | None = None
    municipal_named_on: date | None = None
    next_district_evaluation_at: datetime | None = None
    next_municipal_review_at: datetime | None = None
    rectification_deadline: datetime | None = None
    rectification_reported: bool = False
    rectification_reports: int = 0
    rectification_reminders: list[datetime] = Field(default_factory=list)
    recent_update_ids: list[str] = Field(default_factory=list)
    run: int = 1
    cycle_completed: bool = False

    def active_name(self, level: Level) -> NameRecord | None:
        return next((n for n in self.names if n.level is level and n.active), None)

    def task(self, kind: TaskKind) -> Task | None:
        return next((t for t in self.tasks if t.kind is kind), None)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def level(self) -> Level:
        if self.active_name(Level.MUNICIPAL):
            return Level.MUNICIPAL
        if self.active_name(Level.DISTRICT):
            return Level.DISTRICT
        return Level.NONE

    @computed_field  # type: ignore[prop-decorator]
    @property
    def display_name(self) -> str:
        """The current official name; else the last one held; else the district name it seeks."""
        for level in (Level.MUNICIPAL, Level.DISTRICT):
            name = self.active_name(level)
            if name:
                return name.name
        if self.names:
            return self.names[-1].name
        return district_project_name(self.spec.district, self.spec.focus)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def next_deadline(self) -> datetime | None:
        """The earliest date something is due: a decision, an evaluation or a rectification."""
        moments = [t.due_at for t in self.tasks]
        moments += [
            m for m in (self.next_district_evaluation_at, self.next_municipal_review_at) if m
        ]
        if self.rectification_deadline and not self.task(TaskKind.RECTIFICATION_REVIEW):
            moments.append(self.rectification_deadline)
        return min(moments, default=None)
