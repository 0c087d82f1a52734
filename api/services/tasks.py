"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked.

Three sources, each asked by PostgreSQL for what waits for the caller, in due order:

- the open tasks of live projects in scope, from the `projects` read model, which the workflow
  keeps current: each row's `tasks` array is unnested and filtered by who the task waits for
  (the partial index `ix_projects_open_tasks` holds just the rows with open tasks);
- a unit's rectification report, from its project's row;
- district reports still owed, from `report_tasks`, which each report process keeps current
  (docs/regulation.md "District reports").

A page (`limit`, `offset`) asks each source for its first `offset + limit` entries and merges
them, so only the page is built in Python, whatever the size of the city's inbox.
"""

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Row,
    Select,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import TaskRead
from api.services.scope import scope_clause
from api.services.tokens import Caller
from api.services.views import is_overdue
from db import tables
from db.tables import OPEN_TASKS_EMPTY
from domain.actors import Role
from domain.decisions import Action
from domain.districts import district_name
from domain.stages import END_STAGES, Stage
from domain.state import Task, deadline_day

_LIVE_STAGES = [s.value for s in Stage if s not in END_STAGES]
REPORT_KIND = "district_report"


class Waiting(NamedTuple):
    """One inbox entry before it is built: merged and paged first, built only when shown."""

    due_at: datetime
    order: str  # the project id, or the district of a report: ties broken the same way each time
    position: int  # the task's place in its project's list
    build: Callable[[], TaskRead]


@dataclass(frozen=True)
class Source:
    """The first entries of one source, in due order, and how many it holds in all."""

    entries: list[Waiting]
    total: int


@dataclass(frozen=True)
class TaskPage:
    """The inbox, or one page of it, and how many entries it holds in all."""

    items: list[TaskRead]
    total: int


def _task_read(project: Any, task: Task, now: datetime, *, supervising: bool = False) -> TaskRead:
    return TaskRead(
        project_id=project.id,
        project_name=project.display_name,
        district=project.district,
        district_name=district_name(project.district),
        kind=task.kind.value,
        label=f"{task.kind.label}：{task.period}" if task.period else task.kind.label,
        action=task.action,
        period=task.period,
        waiting_for=task.role,
        waiting_for_label=task.role.label,
        opened_at=task.opened_at,
        due_at=task.due_at,
        due_on=deadline_day(task.due_at, task.due_rule),
        due_rule=task.due_rule,
        overdue=is_overdue(task, now),
        escalated=task.escalated,
        supervising=supervising,
    )


def _supervising(caller: Caller, task: Task) -> bool:
    """The task waits for someone else and is in the caller's inbox to be chased."""
    if caller.role is Role.DISTRICT_BUREAU:
        return task.role is Role.UNIT  # a unit's overdue data (Art. 9.1)
    if caller.role is Role.MUNICIPAL_BUREAU:
        return task.role is not Role.MUNICIPAL_BUREAU  # an overdue district decision
    return False


def _holds(fragment: str) -> ColumnElement[bool]:
    """The row's open tasks include one matching the JSON fragment (jsonb containment)."""
    return tables.Project.tasks.op("@>")(literal_column(f"'[{fragment}]'::jsonb"))


def _may_hold_tasks_for(caller: Caller) -> ColumnElement[bool]:
    """Rows that can hold a task for the caller; a superset, which the index can answer.

    Literal SQL, not bound parameters: the planner must see `tasks <> '[]'` to use the partial
    index, whatever plan a prepared statement gets.
    """
    open_tasks = tables.Project.tasks.op("<>")(literal_column(OPEN_TASKS_EMPTY))
    if caller.role is Role.UNIT:
        return and_(open_tasks, _holds(f'{{"role": "{Role.UNIT.value}"}}'))
    if caller.role is Role.DISTRICT_BUREAU:
        return and_(
            open_tasks,
            or_(
                _holds(f'{{"role": "{Role.DISTRICT_BUREAU.value}"}}'),
                _holds(f'{{"role": "{Role.UNIT.value}", "escalated": true}}'),
            ),
        )
    if caller.role is Role.MUNICIPAL_BUREAU:
        return and_(
            open_tasks,
            or_(
                _holds(f'{{"role": "{Role.MUNICIPAL_BUREAU.value}"}}'),
                _holds('{"escalated": true}'),
            ),
        )
    return open_tasks


def _waits_for(caller: Caller, task: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether one task (a jsonb element) is the caller's to decide or to chase."""
    role: ColumnElement[str] = task.op("->>")("role")
    escalated = func.coalesce(task.op("->>")("escalated").cast(Boolean), false())
    if caller.role is Role.UNIT:
        return role == Role.UNIT.value
    if caller.role is Role.DISTRICT_BUREAU:
        # Its own decisions, and units' overdue data escalated to it (Art. 9.1).
        return or_(role == Role.DISTRICT_BUREAU.value, and_(role == Role.UNIT.value, escalated))
    if caller.role is Role.MUNICIPAL_BUREAU:
        # Its own decisions, and overdue district decisions escalated to it for supervision.
        return or_(role == Role.MUNICIPAL_BUREAU.value, and_(escalated, role != Role.UNIT.value))
    return true()


async def _page_of(
    session: AsyncSession, query: Select[*tuple[Any, ...]], first: int | None
) -> tuple[Sequence[Row[Any]], int]:
    """The first `first` rows of an ordered query (all when None), and how many it has: one
    statement, the count taken as a window over every row before the limit."""
    counted = query.add_columns(func.count().over().label("total_rows"))
    rows = (await session.execute(counted if first is None else counted.limit(first))).all()
    return rows, rows[0].total_rows if rows else 0


async def _project_tasks(
    session: AsyncSession, caller: Caller, now: datetime, first: int | None
) -> Source:
    """Open tasks of live projects in scope that wait for the caller, earliest due first."""
    project = tables.Project
    task = (
        func.jsonb_array_elements(project.tasks)
        .table_valued("value", with_ordinality="position")
        .render_derived("task", with_types=False)
    )
    due_at = task.c.value.op("->>")("due_at").cast(DateTime(timezone=True))
    query = (
        select(project.id, project.display_name, project.district, task.c.value, task.c.position)
        .select_from(project)
        .join(task, true())
        .where(
            scope_clause(caller),
            project.stage.in_(_LIVE_STAGES),
            _may_hold_tasks_for(caller),
            _waits_for(caller, task.c.value),
        )
        .order_by(due_at, project.id.collate("C"), task.c.position)
    )
    rows, total = await _page_of(session, query, first)
    entries = []
    for row in rows:
        one = Task.model_validate(row.value)
        build = partial(_task_read, row, one, now, supervising=_supervising(caller, one))
        entries.append(Waiting(one.due_at, row.id, row.position, build))
    return Source(entries, total)


def _rectification_read(project: Any, now: datetime) -> TaskRead:
    deadline: datetime = project.rectification_deadline
    return TaskRead(
        project_id=project.id,
        project_name=project.display_name,
        district=project.district,
        district_name=district_name(project.district),
        kind="rectification_report",
        label="提交整改报告",
        action=Action.REPORT_RECTIFICATION,
        waiting_for=Role.UNIT,
        waiting_for_label=Role.UNIT.label,
        due_at=deadline,
        overdue=deadline <= now,
        escalated=False,
        supervising=False,
    )


async def _rectification_reports(
    session: AsyncSession, caller: Caller, now: datetime, first: int | None
) -> Source:
    """The rectification reports a unit owes (Art. 9.3), earliest deadline first."""
    if caller.role is not Role.UNIT:
        return Source([], 0)
    project = tables.Project
    query = (
        select(
            project.id,
            project.display_name,
            project.district,
            project.rectification_deadline,
        )
        .where(
            scope_clause(caller),
            project.stage == Stage.RECTIFICATION.value,
            project.rectification_deadline.is_not(None),
            project.rectification_reported.is_(False),
        )
        .order_by(project.rectification_deadline, project.id.collate("C"))
    )
    rows, total = await _page_of(session, query, first)
    # After the project's own tasks of the same due date and project, as it always stood.
    return Source(
        [
            Waiting(
                row.rectification_deadline, row.id, 1 << 30, partial(_rectification_read, row, now)
            )
            for row in rows
        ],
        total,
    )


def _report_read(row: tables.ReportTask, now: datetime, *, supervising: bool) -> TaskRead:
    name = district_name(row.district)
    return TaskRead(
        project_id=None,
        project_name=f"{name}{row.period}周期区级报告",
        district=row.district,
        district_name=name,
        kind=REPORT_KIND,
        label=f"报送区级报告：{row.period}",
        action=None,
        period=row.period,
        waiting_for=Role.DISTRICT_BUREAU,
        waiting_for_label=Role.DISTRICT_BUREAU.label,
        opened_at=row.opened_at,
        due_at=row.due_at,
        due_on=deadline_day(row.due_at, row.due_rule),
        due_rule=row.due_rule,
        overdue=row.escalated or row.due_at <= now,
        escalated=row.escalated,
        supervising=supervising,
    )


async def _reports_owed(
    session: AsyncSession, caller: Caller, now: datetime, first: int | None
) -> Source:
    """District reports not yet in that wait for the caller, or that it supervises."""
    report = tables.ReportTask
    owed = report.submitted_at.is_(None)
    if caller.role is Role.DISTRICT_BUREAU:
        where = and_(owed, report.district == caller.district)
    elif caller.role is Role.MUNICIPAL_BUREAU:
        where = and_(owed, report.escalated.is_(True))
    elif caller.role is Role.OPERATOR:
        where = owed
    else:
        return Source([], 0)
    query = select(report).where(where).order_by(report.due_at, report.district, report.period)
    rows, total = await _page_of(session, query, first)
    supervising = caller.role is Role.MUNICIPAL_BUREAU
    owed_reports: list[tables.ReportTask] = [found.ReportTask for found in rows]
    return Source(
        [
            Waiting(r.due_at, r.district, 0, partial(_report_read, r, now, supervising=supervising))
            for r in owed_reports
        ],
        total,
    )


async def list_tasks(
    *, session: AsyncSession, caller: Caller, limit: int | None = None, offset: int = 0
) -> TaskPage:
    """The caller's inbox, earliest due first: all of it, or `limit` entries from `offset`."""
    now = datetime.now(UTC)
    first = None if limit is None else offset + limit
    sources = [
        await _project_tasks(session, caller, now, first),
        await _rectification_reports(session, caller, now, first),
        await _reports_owed(session, caller, now, first),
    ]
    merged = heapq.merge(*(s.entries for s in sources), key=lambda w: w[:3])
    shown = list(merged)[offset:first]
    return TaskPage(items=[w.build() for w in shown], total=sum(s.total for s in sources))
