"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked.

Two sources, each asked by PostgreSQL for what waits for the caller, in due order:

- the open tasks of live projects in scope, and a unit's rectification report, from
  `open_tasks`, which the transaction that writes a project's row keeps current (db.open_tasks),
  indexed in due order; PostgreSQL writes each entry as JSON in the shape of `TaskRead`;
- district reports still owed, from `report_tasks`, which each report process keeps current
  (docs/regulation.md "District reports"); a handful, written by pydantic.

A page (`limit`, `offset`) asks each source for its first `offset + limit` entries and merges
them, so only the page is written, whatever the size of the city's inbox; the whole inbox is
the entries' JSON joined (docs/performance.md, "GET /v1/tasks").
"""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Interval,
    Row,
    Select,
    SQLColumnExpression,
    Text,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import TaskRead
from api.services.tokens import Caller
from db import tables
from db.labels import label_case
from db.open_tasks import RECTIFICATION_KIND
from domain.actions import TaskKind
from domain.actors import ROLE_LABELS, Role
from domain.decisions import Action
from domain.districts import DISTRICTS, district_name
from domain.durations import SHANGHAI
from domain.state import deadline_day

REPORT_KIND = "district_report"
RECTIFICATION_LABEL = "提交整改报告"
ENTRY = TypeAdapter(TaskRead)
ENTRIES = TypeAdapter(list[TaskRead])


class Waiting(NamedTuple):
    """One inbox entry as JSON, with what orders it: merged and paged before it is joined."""

    due_at: datetime
    order: str  # the project id, or the district of a report: ties broken the same way each time
    position: int  # the task's place in its project's list
    json: bytes


@dataclass(frozen=True)
class Source:
    """The first entries of one source, in due order, and how many it holds in all."""

    entries: list[Waiting]
    total: int


@dataclass(frozen=True)
class TaskPage:
    """The inbox, or one page of it, as a JSON array, and how many entries it holds in all."""

    body: bytes
    total: int

    def items(self) -> list[TaskRead]:
        """The entries as objects (for the console's template)."""
        return ENTRIES.validate_json(self.body)


def _member(value: SQLColumnExpression[Any], key: str) -> ColumnElement[Any]:
    """`value -> key`: a JSON member as JSON, written by pydantic when the task was stored."""
    return value.op("->")(key)


def _json_text(value: str) -> ColumnElement[Any]:
    """A string as a JSON (jsonb) value."""
    return func.to_jsonb(literal(value, Text))


def _utc_text(moment: SQLColumnExpression[datetime]) -> ColumnElement[str]:
    """An instant as pydantic writes a UTC datetime: 2027-06-01T16:00:00Z, with .ffffff when
    there are microseconds."""
    utc = func.timezone("UTC", moment)
    fraction = case(
        (func.to_char(utc, "US") != "000000", func.to_char(utc, ".US")),
        else_="",
    )
    return func.concat(func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS'), fraction, "Z")


def _due_on(
    task: SQLColumnExpression[Any], due_at: SQLColumnExpression[datetime]
) -> ColumnElement[Any]:
    """domain.state.deadline_day in SQL: the Shanghai date the deadline ends on (a legal
    deadline, one with a rule, ends at 24:00 of its last day: the day before that instant)."""
    offset = datetime(2000, 1, 1, tzinfo=SHANGHAI).utcoffset()
    assert offset is not None  # a fixed offset: China has no daylight saving time
    before = case(
        (task.op("->>")("due_rule").is_not(None), literal(timedelta(microseconds=1), Interval)),
        else_=literal(timedelta(0), Interval),
    )
    local = func.timezone("UTC", due_at) + literal(offset, Interval) - before
    return local.cast(Date)


def _supervising(caller: Caller) -> ColumnElement[bool]:
    """The task waits for someone else and is in the caller's inbox to be chased."""
    role = tables.OpenTask.role
    if caller.role is Role.DISTRICT_BUREAU:
        return role == Role.UNIT.value  # a unit's overdue data (Art. 9.1)
    if caller.role is Role.MUNICIPAL_BUREAU:
        return role != Role.MUNICIPAL_BUREAU.value  # an overdue district decision
    return false()


def _entry(caller: Caller) -> ColumnElement[str]:
    """One open task as JSON text, its keys in TaskRead's order (`now` a bound parameter)."""
    row = tables.OpenTask
    task, is_report = row.task, row.task.is_(None)  # no task: the rectification report
    kind_label = label_case(row.kind, {k.value: k.label for k in TaskKind})
    period = task.op("->>")("period")
    now = bindparam("now", type_=DateTime(timezone=True))
    return func.json_build_object(
        "project_id",
        row.project_id,
        "project_name",
        row.display_name,
        "district",
        row.district,
        "district_name",
        label_case(row.district, DISTRICTS),
        "kind",
        row.kind,
        "label",
        case(
            (is_report, RECTIFICATION_LABEL),
            (period.is_not(None), func.concat(kind_label, "：", period)),
            else_=kind_label,
        ),
        "action",
        case(
            (is_report, _json_text(Action.REPORT_RECTIFICATION.value)),
            else_=_member(task, "action"),
        ),
        "period",
        _member(task, "period"),
        "waiting_for",
        row.role,
        "waiting_for_label",
        label_case(row.role, {r.value: label for r, label in ROLE_LABELS.items()}),
        "opened_at",
        _member(task, "opened_at"),
        "due_at",
        case((is_report, func.to_jsonb(_utc_text(row.due_at))), else_=_member(task, "due_at")),
        "due_on",
        case((is_report, null()), else_=_due_on(task, row.due_at)),
        "due_rule",
        _member(task, "due_rule"),
        "overdue",
        or_(row.escalated, row.due_at <= now),
        "escalated",
        row.escalated,
        "supervising",
        _supervising(caller),
    ).cast(Text)


def _waits_for(caller: Caller) -> ColumnElement[bool]:
    """The open tasks in the caller's scope that are its to decide or to chase. A rectification
    report (a row with role `unit`, never escalated) shows only in its unit's inbox."""
    task = tables.OpenTask
    if caller.role is Role.UNIT:
        return and_(task.credit_code == caller.credit_code, task.role == Role.UNIT.value)
    if caller.role is Role.DISTRICT_BUREAU:
        # Its own decisions, and units' overdue data escalated to it (Art. 9.1).
        return and_(
            task.district == caller.district,
            or_(
                task.role == Role.DISTRICT_BUREAU.value,
                and_(task.role == Role.UNIT.value, task.escalated),
            ),
        )
    if caller.role is Role.MUNICIPAL_BUREAU:
        # Its own decisions, and overdue district decisions escalated to it for supervision.
        return or_(
            task.role == Role.MUNICIPAL_BUREAU.value,
            and_(task.escalated, task.role != Role.UNIT.value),
        )
    # The operator sees every project's tasks; a rectification report is the unit's alone.
    return task.kind != RECTIFICATION_KIND


async def _page_of(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    first: int | None,
    params: dict[str, Any] | None = None,
) -> tuple[Sequence[Row[Any]], int]:
    """The first `first` rows of an ordered query (all when None), and how many it has: one
    statement, the count taken as a window over every row before the limit."""
    counted = query.add_columns(func.count().over().label("total_rows"))
    statement = counted if first is None else counted.limit(first)
    rows = (await session.execute(statement, params or {})).all()
    return rows, rows[0].total_rows if rows else 0


def _project_tasks_query(caller: Caller) -> Select[*tuple[Any, ...]]:
    task = tables.OpenTask
    return (
        select(task.due_at, task.project_id, task.position, _entry(caller).label("entry"))
        .where(_waits_for(caller))
        .order_by(task.due_at, task.project_id, task.position)
    )


async def _project_tasks(
    session: AsyncSession, caller: Caller, now: datetime, first: int | None
) -> Source:
    """Open tasks of live projects in scope that wait for the caller, earliest due first."""
    query = _project_tasks_query(caller)
    rows, total = await _page_of(session, query, first, {"now": now})
    return Source(
        [Waiting(r.due_at, r.project_id, r.position, r.entry.encode()) for r in rows], total
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
            Waiting(
                r.due_at,
                r.district,
                0,
                ENTRY.dump_json(_report_read(r, now, supervising=supervising)),
            )
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
        await _reports_owed(session, caller, now, first),
    ]
    merged = heapq.merge(*(s.entries for s in sources), key=lambda w: w[:3])
    shown = list(merged)[offset:first]
    body = b"[" + b",".join(w.json for w in shown) + b"]"
    return TaskPage(body=body, total=sum(s.total for s in sources))
