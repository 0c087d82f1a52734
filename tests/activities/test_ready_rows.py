"""The inbox's open tasks and the directory's entries, rewritten by the store with each step
(db.open_tasks, db.directory), and derived the same way by the migration that made them."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.inputs import GrantNameInput, StepInput, SyncProjectInput
from activities.store import StoreActivities
from db import open_tasks, tables
from db.engine import make_engine, make_session_factory
from db.migrate import alembic_config
from db.open_tasks import RECTIFICATION_POSITION
from db.read_model import project_row
from domain.decisions import (
    DecideAcceptance,
    DecisionRequest,
    ReportViolation,
    RequestAcceptance,
)
from domain.effects import Effect, GrantName
from domain.lifecycle import apply_decision, new_state
from domain.policy import Policy
from domain.state import ProjectState
from tests.helpers import DISTRICT_BUREAU, UNIT, make_spec
from tests.postgres import on_server

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)


def fresh(project_id: str = "p1", focus: str = "生物医药") -> ProjectState:
    state, _ = new_state(project_id, make_spec(focus), Policy(), NOW)
    return state


def step(state: ProjectState, *decisions: DecisionRequest) -> StepInput:
    effects: list[Effect] = []
    for request in decisions:
        effects += apply_decision(state, request, NOW)
    return StepInput.of(state.project_id, effects, project_row(state))


REQUEST = DecisionRequest(actor=UNIT, decision=RequestAcceptance())
ACCEPT = DecisionRequest(actor=DISTRICT_BUREAU, decision=DecideAcceptance(passed=True))
REVOKE = DecisionRequest(
    actor=DISTRICT_BUREAU,
    decision=ReportViolation(scope="district", finding="false_data", note="数据造假"),
)


async def ready_rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[Any]]:
    async with sessions() as s:
        tasks = await s.execute(
            select(
                tables.OpenTask.project_id,
                tables.OpenTask.position,
                tables.OpenTask.kind,
                tables.OpenTask.role,
                tables.OpenTask.due_at,
                tables.OpenTask.head,
            ).order_by(tables.OpenTask.project_id, tables.OpenTask.position)
        )
        entries = await s.execute(
            select(
                tables.DirectoryEntry.project_id,
                tables.DirectoryEntry.level,
                tables.DirectoryEntry.name,
                tables.DirectoryEntry.entry,
            ).order_by(tables.DirectoryEntry.project_id)
        )
        return {"tasks": [tuple(r) for r in tasks], "entries": [tuple(r) for r in entries]}


async def test_each_step_rewrites_the_inbox_rows_and_the_directory_entry(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    store, env = StoreActivities(session_factory), ActivityEnvironment()
    state = fresh()
    requested = step(state, REQUEST)
    [task] = state.tasks
    for _ in range(2):  # a retried step writes the same rows
        await env.run(store.apply_step, requested)
        assert await ready_rows(session_factory) == {
            "tasks": [("p1", 1, task.kind.value, "district_bureau", task.due_at, ANY)],
            "entries": [],
        }

    named = step(state, ACCEPT)
    await env.run(store.apply_step, named)
    rows = await ready_rows(session_factory)
    assert [t[:4] for t in rows["tasks"]] == [
        ("p1", i, t.kind.value, t.role.value) for i, t in enumerate(state.tasks, 1)
    ]
    [(project_id, level, name, entry)] = rows["entries"]
    assert (project_id, level, name) == ("p1", "district", state.display_name)
    assert (entry["name"], entry["district_name"], entry["level_label"]) == (
        state.display_name,
        "浦东新区",
        "区级",
    )
    assert "tasks" not in entry
    assert "spec" not in entry

    await env.run(store.apply_step, step(state, REVOKE))
    assert await ready_rows(session_factory) == {"tasks": [], "entries": []}


async def test_an_older_step_leaves_the_rows_of_the_newer_one(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    store, env = StoreActivities(session_factory), ActivityEnvironment()
    state = fresh()
    older = step(state, REQUEST)
    newer = step(state, ACCEPT)
    await env.run(store.apply_step, newer)
    before = await ready_rows(session_factory)
    await env.run(store.apply_step, older)  # its row is refused: the rows stay the newer one's
    assert await ready_rows(session_factory) == before
    assert before["entries"]


async def test_the_earlier_releases_activities_rewrite_the_rows_too(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    store, env = StoreActivities(session_factory), ActivityEnvironment()
    state = fresh()
    apply_decision(state, REQUEST, NOW)
    effects = apply_decision(state, ACCEPT, NOW)
    [grant] = [e for e in effects if isinstance(e, GrantName)]
    # The earlier release wrote the name first, then the row, each in its own activity.
    await env.run(store.grant_name, GrantNameInput(project_id="p1", grant=grant))
    await env.run(store.sync_project, SyncProjectInput(row=project_row(state)))
    rows = await ready_rows(session_factory)
    assert [e[:2] for e in rows["entries"]] == [("p1", "district")]
    assert [t[0] for t in rows["tasks"]] == ["p1"] * len(state.tasks)


async def test_a_unit_in_rectification_owes_its_report_after_its_tasks(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    state = fresh()
    row = project_row(state).model_copy(
        update={
            "stage": "rectification",
            "rectification_deadline": NOW + timedelta(days=180),
            "rectification_reported": False,
            "state_seq": 9,
        }
    )
    await ActivityEnvironment().run(
        StoreActivities(session_factory).apply_step, StepInput.of("p1", [], row)
    )
    rows = await ready_rows(session_factory)
    assert rows["tasks"][-1] == (
        "p1",
        RECTIFICATION_POSITION,
        "rectification_report",
        "unit",
        NOW + timedelta(days=180),
        ANY,
    )


async def test_the_migration_derives_the_rows_the_store_would_write(
    pg_socket_dir: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    waiting, named = fresh("waiting"), fresh("named", focus="集成电路")
    waiting_step = step(waiting, REQUEST)
    named_step = step(named, REQUEST, ACCEPT)
    # The store's rows, in a database at the newest revision.
    for written in (waiting_step, named_step):
        await ActivityEnvironment().run(StoreActivities(session_factory).apply_step, written)
    stored = await ready_rows(session_factory)
    assert [t[0] for t in stored["tasks"]] == ["waiting"]
    assert [e[:2] for e in stored["entries"]] == [("named", "district")]

    # The same projects and names in a database of the release before, then migrated.
    database = f"m_{uuid.uuid4().hex[:12]}"
    await on_server(pg_socket_dir, f'CREATE DATABASE "{database}"')
    url = f"postgresql+asyncpg://postgres@/{database}?host={pg_socket_dir}"
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "0008")
    engine = make_engine(url)
    try:
        async with make_session_factory(engine).begin() as s:
            for written in (waiting_step, named_step):
                await s.execute(insert(tables.Project).values(written.row.model_dump()))
                for grant in written.grants:
                    name = grant.name
                    await s.execute(
                        insert(tables.Name).values(
                            key=name.key,
                            project_id=written.project_id,
                            level=name.level.value,
                            name=name.name,
                            granted_on=name.granted_on,
                            granted_at=name.granted_at,
                            granted_by=name.granted_by.value,
                        )
                    )
        await asyncio.to_thread(command.upgrade, config, "head")
        assert await ready_rows(make_session_factory(engine)) == stored
    finally:
        await engine.dispose()


async def test_a_new_projects_rows_are_those_a_step_would_write(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The registration writes a new row's inbox rows with `write_new` (nothing to replace)."""
    state = fresh()
    written = step(state, REQUEST)
    async with session_factory.begin() as s:
        await s.execute(insert(tables.Project).values(written.row.model_dump()))
        await open_tasks.write_new(s, "p1")
    new = await ready_rows(session_factory)
    assert [t[:2] for t in new["tasks"]] == [("p1", 1)]
    async with session_factory.begin() as s:
        await open_tasks.refresh(s, "p1")
    assert await ready_rows(session_factory) == new
