"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked.

Read from the `projects` read model, which the workflow keeps current with its open tasks. The
query asks only for the rows that can hold a task for the caller (most projects wait years with
none open): the partial index `ix_projects_open_tasks` holds just the rows with open tasks, and
`tasks_for` still decides, row by row, what the caller sees.

District reports still owed come from `report_tasks`, which each report process keeps current
(docs/regulation.md "District reports"): the district bureau sees its own, the municipal bureau
those escalated to it, operators all.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

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


def _task_read(
    row: tables.Project, task: Task, now: datetime, *, supervising: bool = False
) -> TaskRead:
    return TaskRead(
        project_id=row.id,
        project_name=row.display_name,
        district=row.district,
        district_name=district_name(row.district),
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


class Waiting(NamedTuple):
    """One inbox entry before it is built: sorted and paged first, built only when shown."""

    due_at: datetime
    order: str  # the project id, or the district of a report: ties broken the same way each time
    build: Callable[[], TaskRead]


def tasks_for(caller: Caller, row: tables.Project, now: datetime) -> list[Waiting]:
    """What in this project waits for the caller (the project is in the caller's scope)."""
    tasks = [Task.model_validate(t) for t in row.tasks]

    def entry(task: Task, supervising: bool = False) -> Waiting:
        return Waiting(
            task.due_at, row.id, partial(_task_read, row, task, now, supervising=supervising)
        )

    if caller.role is Role.OPERATOR:
        return [entry(t) for t in tasks]
    if caller.role is Role.DISTRICT_BUREAU:
        # Its own decisions, and units' overdue data escalated to it (Art. 9.1).
        return [
            entry(t, supervising=t.role is Role.UNIT)
            for t in tasks
            if t.role is Role.DISTRICT_BUREAU or (t.role is Role.UNIT and t.escalated)
        ]
    if caller.role is Role.MUNICIPAL_BUREAU:
        # Its own decisions, and overdue district decisions escalated to it for supervision.
        return [
            entry(t, supervising=t.role is not Role.MUNICIPAL_BUREAU)
            for t in tasks
            if t.role is Role.MUNICIPAL_BUREAU or (t.escalated and t.role is not Role.UNIT)
        ]
    # A unit: its data tasks (Art. 9.1), and the rectification report it owes.
    own = [entry(t) for t in tasks if t.role is Role.UNIT]
    deadline = row.rectification_deadline
    if row.stage == Stage.RECTIFICATION.value and deadline and not row.rectification_reported:
        return [*own, Waiting(deadline, row.id, partial(_rectification_read, row, deadline, now))]
    return own


def _rectification_read(row: tables.Project, deadline: datetime, now: datetime) -> TaskRead:
    return TaskRead(
        project_id=row.id,
        project_name=row.display_name,
        district=row.district,
        district_name=district_name(row.district),
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


def _holds(fragment: str) -> ColumnElement[bool]:
    """The row's open tasks include one matching the JSON fragment (jsonb containment)."""
    return tables.Project.tasks.op("@>")(literal_column(f"'[{fragment}]'::jsonb"))


def _may_hold_tasks_for(caller: Caller) -> ColumnElement[bool]:
    """Rows that can yield a task for the caller in `tasks_for`; a superset, never fewer.

    Literal SQL, not bound parameters: the planner must see `tasks <> '[]'` to use the partial
    index, whatever plan a prepared statement gets.
    """
    open_tasks = tables.Project.tasks.op("<>")(literal_column(OPEN_TASKS_EMPTY))
    if caller.role is Role.UNIT:
        return or_(
            and_(
                tables.Project.stage == Stage.RECTIFICATION.value,
                tables.Project.rectification_deadline.is_not(None),
                tables.Project.rectification_reported.is_(False),
            ),
            and_(open_tasks, _holds(f'{{"role": "{Role.UNIT.value}"}}')),
        )
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


async def _reports_owed(session: AsyncSession, caller: Caller, now: datetime) -> list[Waiting]:
    """District reports not yet in that wait for the caller, or that it supervises."""
    owed = tables.ReportTask.submitted_at.is_(None)
    if caller.role is Role.DISTRICT_BUREAU:
        where = and_(owed, tables.ReportTask.district == caller.district)
    elif caller.role is Role.MUNICIPAL_BUREAU:
        where = and_(owed, tables.ReportTask.escalated.is_(True))
    elif caller.role is Role.OPERATOR:
        where = owed
    else:
        return []
    rows = await session.scalars(select(tables.ReportTask).where(where))
    supervising = caller.role is Role.MUNICIPAL_BUREAU
    return [
        Waiting(row.due_at, row.district, partial(_report_read, row, now, supervising=supervising))
        for row in rows
    ]


@dataclass(frozen=True)
class TaskPage:
    """The inbox, or one page of it, and how many entries it holds in all."""

    items: list[TaskRead]
    total: int


async def list_tasks(
    *, session: AsyncSession, caller: Caller, limit: int | None = None, offset: int = 0
) -> TaskPage:
    """The caller's inbox, earliest due first: open tasks of live projects in scope, and
    district reports owed; all of it, or `limit` entries from `offset`."""
    rows = await session.scalars(
        select(tables.Project)
        .where(
            scope_clause(caller),
            tables.Project.stage.in_(_LIVE_STAGES),
            _may_hold_tasks_for(caller),
        )
        .options(defer(tables.Project.spec, raiseload=True))
    )
    now = datetime.now(UTC)
    waiting = [w for row in rows for w in tasks_for(caller, row, now)]
    waiting += await _reports_owed(session, caller, now)
    waiting.sort(key=lambda w: (w.due_at, w.order))
    shown = waiting[offset:] if limit is None else waiting[offset : offset + limit]
    return TaskPage(items=[w.build() for w in shown], total=len(waiting))
