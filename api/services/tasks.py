"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked.

Two sources, each asked by PostgreSQL for what waits for the caller, in due order:

- the open tasks of live projects in scope, and a unit's rectification report, from
  `open_tasks`, which the transaction that writes a project's row keeps current (db.open_tasks),
  indexed in due order;
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
    ColumnElement,
    Row,
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import TaskRead
from api.services.tokens import Caller
from api.services.views import is_overdue
from db import tables
from db.open_tasks import RECTIFICATION_KIND
from domain.actors import Role
from domain.decisions import Action
from domain.districts import district_name
from domain.state import Task, deadline_day

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


def _task_read(row: tables.OpenTask, now: datetime, *, supervising: bool) -> TaskRead:
    assert row.task is not None
    task = Task.model_validate(row.task)
    return TaskRead(
        project_id=row.project_id,
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


def _rectification_read(row: tables.OpenTask, now: datetime) -> TaskRead:
    return TaskRead(
        project_id=row.project_id,
        project_name=row.display_name,
        district=row.district,
        district_name=district_name(row.district),
        kind=RECTIFICATION_KIND,
        label="提交整改报告",
        action=Action.REPORT_RECTIFICATION,
        waiting_for=Role.UNIT,
        waiting_for_label=Role.UNIT.label,
        due_at=row.due_at,
        overdue=row.due_at <= now,
        escalated=False,
        supervising=False,
    )


def _supervising(caller: Caller, waiting_for: Role) -> bool:
    """The task waits for someone else and is in the caller's inbox to be chased."""
    if caller.role is Role.DISTRICT_BUREAU:
        return waiting_for is Role.UNIT  # a unit's overdue data (Art. 9.1)
    if caller.role is Role.MUNICIPAL_BUREAU:
        return waiting_for is not Role.MUNICIPAL_BUREAU  # an overdue district decision
    return False


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
    task = tables.OpenTask
    query = (
        select(task).where(_waits_for(caller)).order_by(task.due_at, task.project_id, task.position)
    )
    rows, total = await _page_of(session, query, first)
    entries = []
    for found in rows:
        row: tables.OpenTask = found.OpenTask
        if row.task is None:
            build = partial(_rectification_read, row, now)
        else:
            supervising = _supervising(caller, Role(row.role))
            build = partial(_task_read, row, now, supervising=supervising)
        entries.append(Waiting(row.due_at, row.project_id, row.position, build))
    return Source(entries, total)


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
        await _reports_owed(session, caller, now, first),
    ]
    merged = heapq.merge(*(s.entries for s in sources), key=lambda w: w[:3])
    shown = list(merged)[offset:first]
    return TaskPage(items=[w.build() for w in shown], total=sum(s.total for s in sources))
