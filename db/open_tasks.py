"""The `open_tasks` table: the tasks inbox's rows, derived from the `projects` read model.

Each live project's open tasks (its row's `tasks`, one row each, in their order) and the
rectification report a unit owes (Art. 9.3, after them) become rows that the inbox reads in due
order through an index (api.services.tasks, docs/performance.md). Each row holds its entry's
JSON up to the fields that depend on the clock and the reader (`head`), labels included, so the
inbox writes no entry itself. Whatever writes a project's
row rewrites its rows in the same transaction with `refresh` (the step's activity), or writes
them with `write_new` (the registration, whose row is new). The statements derive the rows
from the `projects` row in SQL, so what the inbox shows is the row, whichever release wrote
it; the migration that made the table filled it with the same statement (`rebuild`).
"""

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Delete,
    Insert,
    Interval,
    SQLColumnExpression,
    String,
    Text,
    and_,
    bindparam,
    case,
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
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from db.labels import json_object, label_case
from domain.actions import TaskKind
from domain.actors import ROLE_LABELS, Role
from domain.decisions import Action
from domain.districts import DISTRICTS
from domain.durations import SHANGHAI
from domain.stages import END_STAGES, Stage

# A rectification report comes after the project's own tasks of the same due time.
RECTIFICATION_POSITION = 1 << 30
RECTIFICATION_KIND = "rectification_report"
RECTIFICATION_LABEL = "提交整改报告"
_ENDED = sorted(s.value for s in END_STAGES)
_COLUMNS = (
    "project_id",
    "position",
    "district",
    "credit_code",
    "kind",
    "role",
    "escalated",
    "due_at",
    "head",
)


def _member(value: SQLColumnExpression[Any], key: str) -> ColumnElement[Any]:
    """`value -> key`: a member of the stored task as JSON, as pydantic wrote it."""
    return value.op("->")(key)


def _utc_text(moment: SQLColumnExpression[datetime | None]) -> ColumnElement[str]:
    """An instant as pydantic writes a UTC datetime: 2027-06-01T16:00:00Z, with .ffffff when
    there are microseconds."""
    utc = func.timezone("UTC", moment)
    fraction = case((func.to_char(utc, "US") != "000000", func.to_char(utc, ".US")), else_="")
    return func.concat(func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS'), fraction, "Z")


def _due_on(rule: SQLColumnExpression[Any], due_at: SQLColumnExpression[datetime]) -> Any:
    """domain.state.deadline_day in SQL: the Shanghai date the deadline ends on (a legal
    deadline, one with a rule, ends at 24:00 of its last day: the day before that instant)."""
    offset = datetime(2000, 1, 1, tzinfo=SHANGHAI).utcoffset()
    assert offset is not None  # a fixed offset: China has no daylight saving time
    before = case(
        (rule.is_not(None), literal(timedelta(microseconds=1), Interval)),
        else_=literal(timedelta(0), Interval),
    )
    return (func.timezone("UTC", due_at) + literal(offset, Interval) - before).cast(Date)


def _head(*pairs: Any) -> ColumnElement[str]:
    """A JSON object's text without its closing brace: the entry's fields that depend on
    neither the reader nor the clock (api.services.tasks appends the others)."""
    return func.left(json_object(*pairs).cast(Text), -1)


def _project_fields(project: type[tables.Project]) -> list[Any]:
    return [
        "project_id",
        project.id,
        "project_name",
        project.display_name,
        "district",
        project.district,
        "district_name",
        label_case(project.district, DISTRICTS),
    ]


def _derived(which: ColumnElement[bool]) -> Any:
    """The open-task rows of the projects `which` selects, in `_COLUMNS` order; `head` holds
    the start of each entry in `api.schemas.TaskRead`'s shape and order."""
    project = tables.Project
    task = (
        func.jsonb_array_elements(project.tasks)
        .table_valued("value", with_ordinality="position")
        .render_derived("task", with_types=False)
    )
    value = task.c.value
    kind, period = value.op("->>")("kind"), value.op("->>")("period")
    kind_label = label_case(kind, {k.value: k.label for k in TaskKind})
    due_at = value.op("->>")("due_at").cast(DateTime(timezone=True))
    of_tasks = (
        select(
            project.id,
            task.c.position.cast(tables.OpenTask.position.type),
            project.district,
            project.credit_code,
            kind,
            value.op("->>")("role"),
            func.coalesce(value.op("->>")("escalated").cast(Boolean), false()),
            due_at,
            _head(
                *_project_fields(project),
                "kind",
                kind,
                "label",
                case(
                    (period.is_not(None), func.concat(kind_label, "：", period)),
                    else_=kind_label,
                ),
                "action",
                _member(value, "action"),
                "period",
                _member(value, "period"),
                "waiting_for",
                _member(value, "role"),
                "waiting_for_label",
                label_case(value.op("->>")("role"), {r.value: t for r, t in ROLE_LABELS.items()}),
                "opened_at",
                _member(value, "opened_at"),
                "due_at",
                _member(value, "due_at"),
                "due_on",
                _due_on(value.op("->>")("due_rule"), due_at),
                "due_rule",
                _member(value, "due_rule"),
            ),
        )
        .select_from(project)
        .join(task, true())
        .where(which, project.stage.not_in(_ENDED))
    )
    rectification = select(
        project.id,
        literal(RECTIFICATION_POSITION),
        project.district,
        project.credit_code,
        literal(RECTIFICATION_KIND, String),
        literal(Role.UNIT.value, String),
        false(),
        project.rectification_deadline,
        _head(
            *_project_fields(project),
            "kind",
            RECTIFICATION_KIND,
            "label",
            RECTIFICATION_LABEL,
            "action",
            Action.REPORT_RECTIFICATION.value,
            "period",
            null(),
            "waiting_for",
            Role.UNIT.value,
            "waiting_for_label",
            Role.UNIT.label,
            "opened_at",
            null(),
            "due_at",
            _utc_text(project.rectification_deadline),
            "due_on",
            null(),
            "due_rule",
            null(),
        ),
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
    return insert(tables.Base.metadata.tables["open_tasks"]).from_select(
        list(_COLUMNS), _derived(which)
    )


@cache
def _for_one() -> tuple[Delete, Insert]:
    """One project's statements (`project_id` bound), built once: the delete and the insert."""
    one, rows = bindparam("project_id", type_=String), tables.Base.metadata.tables["open_tasks"]
    return delete(rows).where(rows.c.project_id == one), _insert(tables.Project.id == one)


async def refresh(session: AsyncSession, project_id: str) -> None:
    """Rewrite one project's rows from its `projects` row (in the caller's transaction)."""
    remove, write = _for_one()
    await session.execute(remove, {"project_id": project_id})
    await session.execute(write, {"project_id": project_id})


async def write_new(session: AsyncSession, project_id: str) -> None:
    """Write the rows of a project whose row the transaction has just inserted (it has none
    to replace: the registration)."""
    await session.execute(_for_one()[1], {"project_id": project_id})


def rebuild() -> list[Any]:
    """The statements that rewrite every project's rows (a migration runs them)."""
    return [delete(tables.OpenTask), _insert(true())]
