"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked.

Read from the `projects` read model, which the workflow keeps current with its open tasks.
"""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import TaskRead
from api.services.scope import scope_clause
from api.services.tokens import Caller
from api.services.views import is_overdue
from db import tables
from domain.actors import Role
from domain.decisions import Action
from domain.districts import district_name
from domain.stages import END_STAGES, Stage
from domain.state import Task

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
        label=task.kind.label,
        action=task.action,
        waiting_for=task.role,
        waiting_for_label=task.role.label,
        opened_at=task.opened_at,
        due_at=task.due_at,
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
        return [_task_read(row, t, now) for t in tasks if t.role is Role.DISTRICT_BUREAU]
    if caller.role is Role.MUNICIPAL_BUREAU:
        # Its own decisions, and overdue district decisions escalated to it for supervision.
        return [
            _task_read(row, t, now, supervising=t.role is not Role.MUNICIPAL_BUREAU)
            for t in tasks
            if t.role is Role.MUNICIPAL_BUREAU or t.escalated
        ]
    deadline = row.rectification_deadline
    if row.stage == Stage.RECTIFICATION.value and deadline and not row.rectification_reported:
        return [
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
            )
        ]
    return []


async def list_tasks(*, session: AsyncSession, caller: Caller) -> list[TaskRead]:
    """The caller's inbox from the read model: live projects in scope, their open tasks."""
    rows = await session.scalars(
        select(tables.Project).where(scope_clause(caller), tables.Project.stage.in_(_LIVE_STAGES))
    )
    now = datetime.now(UTC)
    tasks = [t for row in rows for t in tasks_for(caller, row, now)]
    return sorted(tasks, key=lambda t: (t.due_at, t.project_id))
