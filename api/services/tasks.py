"""The tasks inbox: decisions waiting for the caller, earliest due first, overdue marked.

Two sources of what waits for the caller:

- the open tasks of live projects in scope, and a unit's rectification report, from
  `open_tasks`, which the transaction that writes a project's row keeps current (db.open_tasks),
  indexed in due order; each row holds the start of its entry as JSON in the shape of
  `TaskRead`, and PostgreSQL completes it with what depends on the clock and the caller;
- district reports still owed, from `report_tasks`, which each report process keeps current
  (docs/regulation.md "District reports"); a handful, written by pydantic.

The owed reports are read first and sent along with one statement, in which PostgreSQL counts
both sources' entries, orders them together, cuts the page (`limit`, `offset`) and joins its
entries' JSON into one array, so only the page is written, whatever the size of the city's
inbox (docs/performance.md, "GET /v1/tasks").

The whole inboxes of the city-wide callers (the operator and the municipal bureau) are the
largest answers, up to megabytes. `CityInboxes` keeps each in the API process with what it was
read from: the version of `open_tasks` (asked at every request, a cheap scan), the owed reports
(read at every request anyway) and the first due time after it was read, when an entry turns
overdue. It is read again as soon as any of the three moved.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    DateTime,
    Integer,
    Select,
    SQLColumnExpression,
    Text,
    and_,
    bindparam,
    case,
    column,
    false,
    func,
    literal,
    null,
    or_,
    select,
    values,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import TaskRead
from api.services.tokens import Caller
from db import tables
from db.open_tasks import RECTIFICATION_KIND
from db.versions import version_of
from domain.actors import Role
from domain.districts import district_name
from domain.state import deadline_day

REPORT_KIND = "district_report"
_NOW = bindparam("now", type_=DateTime(timezone=True))  # the time the inbox is read at
ENTRY = TypeAdapter(TaskRead)
ENTRIES = TypeAdapter(list[TaskRead])


class Owed(NamedTuple):
    """An owed district report as an inbox entry, in the columns of an open task's entry."""

    due_at: datetime
    tie: str  # the district (a project's id for a task): ties broken the same way each time
    position: int
    entry: str


OWED_COLUMNS = (
    column("due_at", DateTime(timezone=True)),
    column("tie", Text),
    column("position", Integer),
    column("entry", Text),
)


@dataclass(frozen=True)
class TaskPage:
    """The inbox, or one page of it, as a JSON array, and how many entries it holds in all."""

    body: bytes
    total: int

    def items(self) -> list[TaskRead]:
        """The entries as objects (for the console's template)."""
        return ENTRIES.validate_json(self.body)


def _supervising(caller: Caller) -> ColumnElement[bool]:
    """The task waits for someone else and is in the caller's inbox to be chased."""
    role = tables.OpenTask.role
    if caller.role is Role.DISTRICT_BUREAU:
        return role == Role.UNIT.value  # a unit's overdue data (Art. 9.1)
    if caller.role is Role.MUNICIPAL_BUREAU:
        return role != Role.MUNICIPAL_BUREAU.value  # an overdue district decision
    return false()


def _json_bool(value: SQLColumnExpression[bool]) -> ColumnElement[str]:
    """A condition as JSON text: true or false."""
    return case((value, "true"), else_="false")


def _entry(caller: Caller) -> ColumnElement[str]:
    """One open task as JSON text in TaskRead's shape: its stored start (db.open_tasks) and
    the fields that depend on the clock (`now`, a bound parameter) and on the caller."""
    row = tables.OpenTask
    now = _NOW
    return func.concat(
        row.head,
        ', "overdue" : ',
        _json_bool(or_(row.escalated, row.due_at <= now)),
        ', "escalated" : ',
        _json_bool(row.escalated),
        ', "supervising" : ',
        _json_bool(_supervising(caller)),
        "}",
    )


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


def _project_tasks(caller: Caller) -> Select[*tuple[Any, ...]]:
    """Open tasks of live projects in scope that wait for the caller, as inbox entries."""
    task = tables.OpenTask
    return select(
        task.due_at, task.project_id.label("tie"), task.position, _entry(caller).label("entry")
    ).where(_waits_for(caller))


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


async def _reports_owed(session: AsyncSession, caller: Caller, now: datetime) -> list[Owed]:
    """District reports not yet in that wait for the caller, or that it supervises: a handful
    (one per district and period owed), each written as JSON by pydantic."""
    report = tables.ReportTask
    owed = report.submitted_at.is_(None)
    if caller.role is Role.DISTRICT_BUREAU:
        where = and_(owed, report.district == caller.district)
    elif caller.role is Role.MUNICIPAL_BUREAU:
        where = and_(owed, report.escalated.is_(True))
    elif caller.role is Role.OPERATOR:
        where = owed
    else:
        return []
    supervising = caller.role is Role.MUNICIPAL_BUREAU
    return [
        Owed(
            r.due_at,
            r.district,
            0,
            ENTRY.dump_json(_report_read(r, now, supervising=supervising)).decode(),
        )
        for r in await session.scalars(select(report).where(where))
    ]


CITY_WIDE = (Role.OPERATOR, Role.MUNICIPAL_BUREAU)

_TASKS_VERSION = version_of(tables.OpenTask.__tablename__)


class _Kept(NamedTuple):
    version: str
    reports: list[Owed]
    read_at: datetime
    until: datetime | None  # the first due time after `read_at`: an entry turns overdue then
    page: TaskPage


class CityInboxes:
    """The whole inboxes of the operator and the municipal bureau as this process last read them."""

    def __init__(self) -> None:
        self._kept: dict[Role, _Kept] = {}

    async def read(
        self, session: AsyncSession, caller: Caller, reports: list[Owed], now: datetime
    ) -> TaskPage:
        """The caller's whole inbox as of `now`, with `reports` the district reports owed now.

        The version is asked before the entries are read, so entries kept under a version are
        never older than it (at worst newer, and read again next time).
        """
        version = str(await session.scalar(_TASKS_VERSION))
        kept = self._kept.get(caller.role)
        if (
            kept is not None
            and kept.version == version
            and kept.reports == reports
            and kept.read_at <= now
            and (kept.until is None or now < kept.until)
        ):
            return kept.page
        page, until = await _read(session, caller, reports, now, None, 0, until=True)
        self._kept[caller.role] = _Kept(version, reports, now, until, page)
        return page


async def list_tasks(
    *,
    session: AsyncSession,
    caller: Caller,
    limit: int | None = None,
    offset: int = 0,
    inboxes: CityInboxes | None = None,
    now: datetime | None = None,
) -> TaskPage:
    """The caller's inbox, earliest due first, as of `now` (the clock's time if not given):
    all of it, or `limit` entries from `offset`. A city-wide caller's whole inbox comes from
    `inboxes` when given (the API process's copies)."""
    now = now or datetime.now(UTC)
    reports = await _reports_owed(session, caller, now)
    if inboxes is not None and limit is None and offset == 0 and caller.role in CITY_WIDE:
        return await inboxes.read(session, caller, reports, now)
    page, _ = await _read(session, caller, reports, now, limit, offset, until=False)
    return page


async def _read(
    session: AsyncSession,
    caller: Caller,
    reports: list[Owed],
    now: datetime,
    limit: int | None,
    offset: int,
    *,
    until: bool,
) -> tuple[TaskPage, datetime | None]:
    """The inbox or a page of it, and, if `until`, the first due time after `now` among all
    its entries (when one turns overdue).

    One statement counts both sources' entries (the owed reports sent along as rows), orders
    them together, and joins the ones shown into one JSON array; the entries' JSON is written
    for the page only.
    """
    tasks = _project_tasks(caller)
    sources: Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]] = tasks
    if reports:
        sources = tasks.union_all(select(values(*OWED_COLUMNS, name="owed").data(reports)))
    entries = sources.subquery("entries")
    order = (entries.c.due_at, entries.c.tie.collate("C").label("tie"), entries.c.position)
    shown = select(entries.c.entry, *order).order_by(*order).offset(offset)
    if limit is not None:
        shown = shown.limit(limit)
    page = shown.subquery("page")
    joined = func.string_agg(
        page.c.entry, aggregate_order_by(literal(","), page.c.due_at, page.c.tie, page.c.position)
    )
    due_next = select(func.min(entries.c.due_at)).where(entries.c.due_at > _NOW)
    statement = select(
        select(func.count()).select_from(entries).scalar_subquery(),
        # As UTF-8 bytes: the answer's body as it is, not decoded and encoded again.
        select(func.convert_to(func.coalesce(joined, ""), "UTF8")).scalar_subquery(),
        due_next.scalar_subquery() if until else null(),
    )
    total, body, first_due = (await session.execute(statement, {"now": now})).one()
    return TaskPage(body=b"[" + body + b"]", total=total), first_due
