"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked."""

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound
from api.schemas import TaskRead
from api.services.scope import scope_clause
from api.services.temporal import TemporalGateway
from api.services.tokens import Caller
from api.services.views import is_overdue
from db import tables
from domain.actors import Role
from domain.decisions import Action
from domain.districts import district_name
from domain.stages import END_STAGES, Stage
from domain.state import ProjectState, Task

log = logging.getLogger(__name__)

# Workflows queried at once for one inbox.
CONCURRENT_QUERIES = 8
# Every live stage: the read model may lag the workflow by a moment, so no stage is skipped.
_LIVE_STAGES = [s.value for s in Stage if s not in END_STAGES]


def _task_read(
    state: ProjectState, task: Task, now: datetime, *, supervising: bool = False
) -> TaskRead:
    return TaskRead(
        project_id=state.project_id,
        project_name=state.display_name,
        district=state.spec.district,
        district_name=district_name(state.spec.district),
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


def tasks_for(caller: Caller, state: ProjectState, now: datetime) -> list[TaskRead]:
    """What in this project waits for the caller (the project is in the caller's scope)."""
    if caller.role is Role.OPERATOR:
        return [_task_read(state, t, now) for t in state.tasks]
    if caller.role is Role.DISTRICT_BUREAU:
        return [_task_read(state, t, now) for t in state.tasks if t.role is Role.DISTRICT_BUREAU]
    if caller.role is Role.MUNICIPAL_BUREAU:
        # Its own decisions, and overdue district decisions escalated to it for supervision.
        return [
            _task_read(state, t, now, supervising=t.role is not Role.MUNICIPAL_BUREAU)
            for t in state.tasks
            if t.role is Role.MUNICIPAL_BUREAU or t.escalated
        ]
    deadline = state.rectification_deadline
    if state.stage is Stage.RECTIFICATION and deadline and not state.rectification_reported:
        return [
            TaskRead(
                project_id=state.project_id,
                project_name=state.display_name,
                district=state.spec.district,
                district_name=district_name(state.spec.district),
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


async def list_tasks(
    *, session: AsyncSession, temporal: TemporalGateway, caller: Caller
) -> list[TaskRead]:
    """The caller's inbox: live projects in scope from the read model, tasks from their state."""
    ids = list(
        await session.scalars(
            select(tables.Project.id).where(
                scope_clause(caller), tables.Project.stage.in_(_LIVE_STAGES)
            )
        )
    )
    await session.close()
    limit = asyncio.Semaphore(CONCURRENT_QUERIES)

    async def state_of(project_id: str) -> ProjectState | None:
        """The project's state, or None for a read-model row without a process."""
        async with limit:
            try:
                return await temporal.state(project_id)
            except NotFound:
                log.warning("project %s is in the read model but has no workflow", project_id)
                return None

    states = await asyncio.gather(*(state_of(i) for i in ids))
    now = datetime.now(UTC)
    tasks = [t for s in states if s is not None for t in tasks_for(caller, s, now)]
    return sorted(tasks, key=lambda t: (t.due_at, t.project_id))
