"""The `open_tasks` table: the tasks inbox's rows, derived from the `projects` read model.

Each live project's open tasks (its row's `tasks`, one row each, in their order) and the
rectification report a unit owes (Art. 9.3, after them) become rows that the inbox reads in due
order through an index (api.services.tasks, docs/performance.md). Whatever writes a project's
row rewrites its rows in the same transaction with `refresh` (the step's activity), or writes
them with `write_new` (the registration, whose row is new). The statements derive the rows
from the `projects` row in SQL, so what the inbox shows is the row, whichever release wrote
it; the migration that made the table filled it with the same statement (`rebuild`).
"""

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Insert,
    String,
    and_,
    delete,
    false,
    func,
    insert,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from domain.actors import Role
from domain.stages import END_STAGES, Stage

# A rectification report comes after the project's own tasks of the same due time.
RECTIFICATION_POSITION = 1 << 30
RECTIFICATION_KIND = "rectification_report"
_ENDED = sorted(s.value for s in END_STAGES)
_COLUMNS = (
    "project_id",
    "position",
    "district",
    "credit_code",
    "display_name",
    "kind",
    "role",
    "escalated",
    "due_at",
    "task",
)


def _derived(which: ColumnElement[bool]) -> Any:
    """The open-task rows of the projects `which` selects, in `_COLUMNS` order."""
    project = tables.Project
    task = (
        func.jsonb_array_elements(project.tasks)
        .table_valued("value", with_ordinality="position")
        .render_derived("task", with_types=False)
    )
    value = task.c.value
    live = project.stage.not_in(_ENDED)
    of_tasks = (
        select(
            project.id,
            task.c.position.cast(tables.OpenTask.position.type),
            project.district,
            project.credit_code,
            project.display_name,
            value.op("->>")("kind"),
            value.op("->>")("role"),
            func.coalesce(value.op("->>")("escalated").cast(Boolean), false()),
            value.op("->>")("due_at").cast(DateTime(timezone=True)),
            value,
        )
        .select_from(project)
        .join(task, true())
        .where(which, live)
    )
    rectification = select(
        project.id,
        literal(RECTIFICATION_POSITION),
        project.district,
        project.credit_code,
        project.display_name,
        literal(RECTIFICATION_KIND, String),
        literal(Role.UNIT.value, String),
        false(),
        project.rectification_deadline,
        null().cast(JSONB),
    ).where(
        which,
        and_(
            project.stage == Stage.RECTIFICATION.value,
            project.rectification_deadline.is_not(None),
            project.rectification_reported.is_(False),
        ),
    )
    return union_all(of_tasks, rectification)


def _insert(which: ColumnElement[bool]) -> Insert:
    return insert(tables.OpenTask).from_select(list(_COLUMNS), _derived(which))


async def refresh(session: AsyncSession, project_id: str) -> None:
    """Rewrite one project's rows from its `projects` row (in the caller's transaction)."""
    await session.execute(delete(tables.OpenTask).where(tables.OpenTask.project_id == project_id))
    await session.execute(_insert(tables.Project.id == project_id))


async def write_new(session: AsyncSession, project_id: str) -> None:
    """Write the rows of a project whose row the transaction has just inserted (it has none
    to replace: the registration)."""
    await session.execute(_insert(tables.Project.id == project_id))


def rebuild() -> list[Any]:
    """The statements that rewrite every project's rows (a migration runs them)."""
    return [delete(tables.OpenTask), _insert(true())]
