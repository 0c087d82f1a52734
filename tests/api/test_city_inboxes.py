"""The whole inboxes of the city-wide callers kept in the API process (api.services.tasks,
`CityInboxes`): every read gives the inbox as it is at that time, and the entries are read
again from PostgreSQL only once a task row was written or removed, the district reports owed
changed, or the clock passed the due time of an entry (which then turns overdue)."""

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.services.tasks import CityInboxes, TaskPage, list_tasks
from api.services.tokens import Caller
from db import open_tasks, tables
from tests.api.test_task_entries import CALLERS, MIDNIGHT, NOW, seed

CITY = [
    pytest.param(CALLERS["operator"], id="operator"),
    pytest.param(CALLERS["municipal"], id="municipal"),
]
# Both see the municipal evaluation of "p-two", due at MIDNIGHT.
BEFORE, AFTER = MIDNIGHT - timedelta(seconds=1), MIDNIGHT + timedelta(seconds=1)


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent while the test runs."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _read(
    sessions: async_sessionmaker[AsyncSession],
    caller: Caller,
    now: datetime,
    inboxes: CityInboxes | None = None,
) -> TaskPage:
    async with sessions() as session:
        return await list_tasks(session=session, caller=caller, inboxes=inboxes, now=now)


class Reader:
    """Reads through one process's copies, checking each answer against a read without them
    and counting the reads of the entries."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        caller: Caller,
        statements: list[str],
    ) -> None:
        self.sessions, self.caller, self.statements = sessions, caller, statements
        self.inboxes = CityInboxes()

    async def read(self, now: datetime) -> tuple[list[dict[str, Any]], int]:
        """(the entries at `now`, how many times they were read from PostgreSQL)."""
        self.statements.clear()
        kept = await _read(self.sessions, self.caller, now, self.inboxes)
        reads = sum("string_agg" in s for s in self.statements)
        fresh = await _read(self.sessions, self.caller, now)
        assert kept == fresh
        entries: list[dict[str, Any]] = json.loads(kept.body)
        return entries, reads


@pytest.fixture
async def reader(
    session_factory: async_sessionmaker[AsyncSession], statements: list[str], caller: Caller
) -> Reader:
    """The seeded tasks, read by the parametrized city-wide `caller` through fresh copies."""
    await seed(session_factory)
    return Reader(session_factory, caller, statements)


def _evaluation(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return next(e for e in entries if e["kind"] == "municipal_evaluation")


@pytest.mark.parametrize("caller", CITY)
async def test_the_kept_inbox_is_read_again_when_the_clock_passes_a_due_time(
    reader: Reader,
) -> None:
    entries, reads = await reader.read(BEFORE)
    assert reads == 1
    assert _evaluation(entries)["overdue"] is False
    assert await reader.read(BEFORE + timedelta(milliseconds=500)) == (entries, 0)
    entries, reads = await reader.read(AFTER)
    assert reads == 1
    assert _evaluation(entries)["overdue"] is True
    assert await reader.read(AFTER + timedelta(days=1)) == (entries, 0)
    # A clock set back is not trusted with what was read later.
    entries, reads = await reader.read(BEFORE)
    assert reads == 1
    assert _evaluation(entries)["overdue"] is False


@pytest.mark.parametrize("caller", CITY)
async def test_the_kept_inbox_is_read_again_after_a_task_or_a_report_changed(
    session_factory: async_sessionmaker[AsyncSession], reader: Reader
) -> None:
    first, _ = await reader.read(AFTER)
    assert await reader.read(AFTER) == (first, 0)

    # A step closes the evaluation: it leaves the inbox, the number of rows changes.
    async with session_factory.begin() as session:
        await session.execute(
            update(tables.Project).where(tables.Project.id == "p-two").values(tasks=[])
        )
        await open_tasks.refresh(session, "p-two")
    entries, reads = await reader.read(AFTER)
    assert reads == 1
    assert "municipal_evaluation" not in {e["kind"] for e in entries}

    # A step rewrites a project's rows as they were: same number of rows, written again.
    async with session_factory.begin() as session:
        await open_tasks.refresh(session, "p-acceptance")
    assert (await reader.read(AFTER))[1] == 1
    assert (await reader.read(AFTER))[1] == 0

    # A district report falls due and is escalated to the municipal bureau.
    async with session_factory.begin() as session:
        await session.execute(
            insert(tables.ReportTask).values(
                key="310104/2026",
                district="310104",
                period="2026",
                workflow_id="district-report-310104-2026",
                opened_at=NOW,
                due_at=NOW + timedelta(hours=1),
                escalated=True,
            )
        )
    entries, reads = await reader.read(AFTER)
    assert reads == 1
    assert "district_report" in {e["kind"] for e in entries}
    assert await reader.read(AFTER) == (entries, 0)


async def test_other_callers_and_pages_are_read_each_time(
    session_factory: async_sessionmaker[AsyncSession], statements: list[str]
) -> None:
    await seed(session_factory)
    inboxes = CityInboxes()
    for who in ("district", "unit"):
        for _ in range(2):
            statements.clear()
            await _read(session_factory, CALLERS[who], AFTER, inboxes)
            assert sum("string_agg" in s for s in statements) == 1, who
    for _ in range(2):
        statements.clear()
        async with session_factory() as session:
            await list_tasks(
                session=session, caller=CALLERS["operator"], limit=2, inboxes=inboxes, now=AFTER
            )
        assert sum("string_agg" in s for s in statements) == 1
