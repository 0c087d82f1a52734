"""The state one project's process carries, across continue-as-new, for its whole life."""

from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from domain.actions import Action
from domain.actions import TaskKind as TaskKind  # re-exported: the public home of TaskKind
from domain.actors import Actor, Role
from domain.durations import local_date
from domain.naming import district_project_name
from domain.policy import Policy
from domain.project import ProjectSpec
from domain.stages import Level, Stage
from domain.workdays import WorkCalendar

# Derived from the declarations (domain.actions): each task kind and the action answering it.
TASK_LABELS: dict[TaskKind, str] = {kind: kind.label for kind in TaskKind}
TASK_ACTIONS: dict[TaskKind, Action] = {kind: kind.action for kind in TaskKind}
TASK_ROLES: dict[TaskKind, Role] = {kind: kind.role for kind in TaskKind}


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
    due_rule: str | None = None
    """Rules 3: which rule set the due date (按期届满, 法定节假日顺延（春节）, …; docs/deadlines.md)."""
    period: str | None = None
    """A data submission task (rules 4): the data period it is for ("2026")."""


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
# The rules a process follows (`ProjectState.rules`). A process keeps the rules it runs with until
# its next continue-as-new, so its history replays as it was recorded; the workflow raises them
# behind a patch (workflows.lifecycle). States stored before the field existed load as 1.
#   1: releases 1 and 2: a district finding after municipal naming ends both names; no off-cycle
#      district evaluation; an imported project's missed evaluation is skipped.
#   2: 谁命名谁撤消 (the municipal name is referred, not ended), 及时取消 (off-cycle district
#      evaluation), a project with no name left ends, imports behind open their evaluation.
#   3: legal deadlines (docs/deadlines.md): a decision's due date and the rectification deadline
#      end at 24:00 Shanghai of their last day, moved over rest days and statutory holidays on
#      the process's work calendar (`ProjectState.calendar`).
#   4: data collection (Art. 9.1): when a data period ends, a named project's unit gets the task
#      `data_submission` for it (due `data_due_after` after the period, reminded, escalated to
#      the district bureau when late).
RULES = 4
# Data periods remembered as submitted (for the history's "更正" wording).
MAX_DATA_PERIODS = 20
# Data tasks kept open at once: a unit that never reports must not grow the state without end;
# an older period dropped from the tasks stays owed ("missing") in the figures.
MAX_OPEN_DATA_TASKS = 3


class TypicalCase(BaseModel):
    """Art. 9.4: the municipal bureau's selection of the project as a typical case (published)."""

    title: str
    summary: str
    selected_at: datetime
    selected_on: date


class NationalBase(BaseModel):
    """Art. 12: the municipal bureau's recommendation for the national base, under the municipal
    name it was given to (the directory shows it while that name is active)."""

    recommended_at: datetime
    recommended_on: date
    name_key: str
    note: str


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
    rules: int = 1
    calendar: WorkCalendar | None = None
    """Rules 3: the holidays and make-up working days deadlines are counted on (plain dates,
    loaded outside the workflow; refreshed by the workflow, workflows/lifecycle.py)."""
    calendar_checked_on: date | None = None
    """The Shanghai date the calendar was last loaded."""
    rectification_deadline_rule: str | None = None
    """Rules 3: which rule set the rectification deadline."""
    next_data_period_end: datetime | None = None
    """Rules 4: when the current data period ends and its data submission task opens."""
    data_submitted: list[str] = Field(default_factory=list)
    """The data periods the unit has submitted figures for (latest MAX_DATA_PERIODS)."""
    typical_case: TypicalCase | None = None
    national_base: NationalBase | None = None

    def data_task(self, period: str) -> Task | None:
        return next(
            (t for t in self.tasks if t.kind is TaskKind.DATA_SUBMISSION and t.period == period),
            None,
        )

    @property
    def national_base_mark(self) -> NationalBase | None:
        """The recommendation, while the municipal name it was given under is active."""
        base = self.national_base
        name = self.active_name(Level.MUNICIPAL)
        if base is None or name is None or name.key != base.name_key:
            return None
        return base

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
        ended = [n for n in self.names if n.ending is not None]
        if ended:
            # The one that ended last was held last (names ended together: the higher level).
            last = max(
                ended,
                key=lambda n: (
                    n.ending.at if n.ending else n.granted_at,
                    n.level is Level.MUNICIPAL,
                ),
            )
            return last.name
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


def deadline_day(due: datetime, rule: str | None) -> date:
    """The Shanghai date a deadline ends on, for messages and views. A legal deadline (one with
    the rule that set it, rules 3) ends at 24:00 of its last day, i.e. 00:00 of the next, so its
    day is the one before that instant; any other is the date of its instant."""
    if rule is not None:
        return local_date(due - timedelta(microseconds=1))
    return local_date(due)
