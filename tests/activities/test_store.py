"""Each one-effect store activity (kept for processes of the earlier release), run twice with the
same input (as a Temporal retry would), writes once. The one-transaction step: test_step.py."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.inputs import (
    EndNameInput,
    GrantNameInput,
    NotifyInput,
    RecordDecisionInput,
    SyncProjectInput,
)
from activities.store import StoreActivities
from db import tables
from db.read_model import project_row
from domain.actors import Role
from domain.decisions import DecideAcceptance, DecisionRequest, RequestAcceptance
from domain.effects import EndName, GrantName, Notify, Recipient, RecordDecision
from domain.lifecycle import apply_decision, new_state
from domain.policy import Policy
from domain.stages import Level
from domain.state import NameEnding, ProjectState
from tests.helpers import CREDIT_CODE, DISTRICT_BUREAU, UNIT, make_spec

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
In = TypeVar("In")


@pytest.fixture
def store(session_factory: async_sessionmaker[AsyncSession]) -> StoreActivities:
    return StoreActivities(session_factory)


async def twice(method: Callable[[In], Awaitable[None]], arg: In) -> None:
    env = ActivityEnvironment()
    await env.run(method, arg)
    await env.run(method, arg)


async def count(session_factory: async_sessionmaker[AsyncSession], table: type[tables.Base]) -> int:
    async with session_factory() as s:
        return int(await s.scalar(select(func.count()).select_from(table)) or 0)


def named_state() -> tuple[ProjectState, list[object]]:
    state, _ = new_state("p1", make_spec(), Policy(), NOW)
    apply_decision(state, DecisionRequest(actor=UNIT, decision=RequestAcceptance()), NOW)
    effects = apply_decision(
        state, DecisionRequest(actor=DISTRICT_BUREAU, decision=DecideAcceptance(passed=True)), NOW
    )
    return state, list(effects)


async def test_record_decision_writes_once(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, effects = named_state()
    record = effects[0]
    assert isinstance(record, RecordDecision)
    await twice(store.record_decision, RecordDecisionInput(project_id="p1", record=record))
    assert await count(session_factory, tables.Decision) == 1
    async with session_factory() as s:
        row = (await s.scalars(select(tables.Decision))).one()
    assert (row.key, row.action, row.actor_role, row.passed) == (
        "p1/3",
        "decide-acceptance",
        "district_bureau",
        True,
    )
    assert row.actor_district == "310115"


async def test_grant_and_end_name_write_once_and_never_edit(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, effects = named_state()
    grant = next(e for e in effects if isinstance(e, GrantName))
    await twice(store.grant_name, GrantNameInput(project_id="p1", grant=grant))
    ending = NameEnding(kind="revoked", at=NOW, on=NOW.date(), by=Role.DISTRICT_BUREAU, reason="x")
    end = EndName(name_key=grant.name.key, ending=ending)
    await twice(store.end_name, EndNameInput(project_id="p1", end=end))
    # A second, different ending of the same name changes nothing: the first one stands.
    other = ending.model_copy(update={"kind": "cancelled", "reason": "y"})
    await ActivityEnvironment().run(
        store.end_name,
        EndNameInput(project_id="p1", end=EndName(name_key=grant.name.key, ending=other)),
    )
    assert await count(session_factory, tables.Name) == 1
    assert await count(session_factory, tables.NameEnding) == 1
    async with session_factory() as s:
        name = (await s.scalars(select(tables.Name))).one()
        stored = (await s.scalars(select(tables.NameEnding))).one()
    assert (name.level, name.name) == (Level.DISTRICT.value, grant.name.name)
    assert (stored.kind, stored.reason) == ("revoked", "x")


async def test_end_name_of_an_unknown_name_is_a_retried_invariant_failure(
    store: StoreActivities,
) -> None:
    ending = NameEnding(
        kind="cancelled", at=NOW, on=NOW.date(), by=Role.DISTRICT_BUREAU, reason="x"
    )
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(
            store.end_name,
            EndNameInput(project_id="p1", end=EndName(name_key="nope", ending=ending)),
        )
    assert (failed.value.type, failed.value.non_retryable) == ("StoreInvariant", False)


async def test_notify_writes_one_row_per_recipient_once(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, effects = named_state()
    notify = next(e for e in effects if isinstance(e, Notify))
    notify.recipients = [
        Recipient(role=Role.UNIT, credit_code=CREDIT_CODE),
        Recipient(role=Role.DISTRICT_BUREAU, district="310115"),
        Recipient(role=Role.MUNICIPAL_BUREAU),
    ]
    await twice(store.notify, NotifyInput(project_id="p1", notify=notify))
    async with session_factory() as s:
        recipients = list(
            await s.scalars(
                select(tables.Notification.recipient).order_by(tables.Notification.recipient)
            )
        )
    assert recipients == ["district_bureau:310115", "municipal_bureau", f"unit:{CREDIT_CODE}"]


async def test_sync_project_upserts_and_never_goes_back(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    state, _ = named_state()
    older, _ = new_state("p1", make_spec(), Policy(), NOW)
    await twice(store.sync_project, SyncProjectInput(row=project_row(state)))
    # A late retry of an older state does not overwrite the newer one.
    await ActivityEnvironment().run(store.sync_project, SyncProjectInput(row=project_row(older)))
    assert await count(session_factory, tables.Project) == 1
    async with session_factory() as s:
        row = (await s.scalars(select(tables.Project))).one()
    assert (row.stage, row.level, row.state_seq) == ("district_named", "district", state.seq)
    assert row.display_name == "浦东新区生物医药质量基础设施“一站式”服务项目"
