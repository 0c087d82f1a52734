"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked.

Read from the `projects` read model, which the workflow keeps current with its open tasks. The
query asks only for the rows that can hold a task for the caller (most projects wait years with
none open): the partial index `ix_projects_open_tasks` holds just the rows with open tasks, and
`tasks_for` still decides, row by row, what the caller sees.
"""

from datetime import UTC, datetime

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


def tasks_for(caller: Caller, row: tables.Project, now: datetime) -> list[TaskRead]:
    """What in this project waits for the caller (the project is in the caller's scope)."""
    tasks = [Task.model_validate(t) for t in row.tasks]
    if caller.role is Role.OPERATOR:
        return [_task_read(row, t, now) for t in tasks]
    if caller.role is Role.DISTRICT_BUREAU:
        # Its own decisions, and units' overdue data escalated to it (Art. 9.1).
        return [
            _task_read(row, t, now, supervising=t.role is Role.UNIT)
            for t in tasks
            if t.role is Role.DISTRICT_BUREAU or (t.role is Role.UNIT and t.escalated)
        ]
    if caller.role is Role.MUNICIPAL_BUREAU:
        # Its own decisions, and overdue district decisions escalated to it for supervision.
        return [
            _task_read(row, t, now, supervising=t.role is not Role.MUNICIPAL_BUREAU)
            for t in tasks
            if t.role is Role.MUNICIPAL_BUREAU or (t.escalated and t.role is not Role.UNIT)
        ]
    # A unit: its data tasks (Art. 9.1), and the rectification report it owes.
    own = [_task_read(row, t, now) for t in tasks if t.role is Role.UNIT]
    deadline = row.rectification_deadline
    if row.stage == Stage.RECTIFICATION.value and deadline and not row.rectification_reported:
        return [
            *own,
            TaskRead(
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
            ),
        ]
    return own


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


async def list_tasks(*, session: AsyncSession, caller: Caller) -> list[TaskRead]:
    """The caller's inbox from the read model: live projects in scope, their open tasks."""
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
    tasks = [t for row in rows for t in tasks_for(caller, row, now)]
    return sorted(tasks, key=lambda t: (t.due_at, t.project_id))
