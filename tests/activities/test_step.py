"""`apply_step`: one step's records, names, outbox rows and read-model row in one transaction."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.inputs import StepInput
from activities.store import StoreActivities
from db import tables
from db.read_model import project_row
from domain.actors import Role
from domain.decisions import (
    DecideAcceptance,
    DecisionRequest,
    ReportViolation,
    RequestAcceptance,
)
from domain.effects import EndName, Recipient
from domain.lifecycle import apply_decision, new_state
from domain.policy import Policy
from domain.state import NameEnding
from tests.helpers import CREDIT_CODE, DISTRICT_BUREAU, UNIT, make_spec

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
TABLES: list[type[tables.Base]] = [
    tables.Decision,
    tables.Name,
    tables.NameEnding,
    tables.Notification,
    tables.Project,
]


@pytest.fixture
def store(session_factory: async_sessionmaker[AsyncSession]) -> StoreActivities:
    return StoreActivities(session_factory)


async def counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as s:
        return {
            t.__tablename__: int(await s.scalar(select(func.count()).select_from(t)) or 0)
            for t in TABLES
        }


def revoked_step() -> StepInput:
    """Acceptance passed and the district name revoked, drained as one step (two decisions)."""
    state, _ = new_state("p1", make_spec(), Policy(), NOW)
    apply_decision(state, DecisionRequest(actor=UNIT, decision=RequestAcceptance()), NOW)
    effects = apply_decision(
        state, DecisionRequest(actor=DISTRICT_BUREAU, decision=DecideAcceptance(passed=True)), NOW
    )
    effects += apply_decision(
        state,
        DecisionRequest(
            actor=DISTRICT_BUREAU,
            decision=ReportViolation(scope="district", finding="false_data", note="数据造假"),
        ),
        NOW,
    )
    return StepInput.of("p1", effects, project_row(state))


async def test_a_step_run_twice_writes_every_record_once(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    step = revoked_step()
    assert (len(step.grants), len(step.endings), len(step.records)) == (1, 1, 2)
    env = ActivityEnvironment()
    await env.run(store.apply_step, step)
    first = await counts(session_factory)
    await env.run(store.apply_step, step)
    assert await counts(session_factory) == first
    recipients = sum(len(n.recipients) for n in step.notices)
    assert first == {
        "decisions": 2,
        "names": 1,
        "name_endings": 1,
        "notifications": recipients,
        "projects": 1,
    }
    async with session_factory() as s:
        row = (await s.scalars(select(tables.Project))).one()
        ending = (await s.scalars(select(tables.NameEnding))).one()
    assert (row.stage, row.level, row.state_seq) == ("revoked", "none", step.row.state_seq)
    assert (ending.kind, ending.ended_by) == ("revoked", "district_bureau")


async def test_a_notice_writes_one_outbox_row_per_recipient(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    step = revoked_step()
    notice = step.notices[-1]
    notice.recipients = [
        Recipient(role=Role.UNIT, credit_code=CREDIT_CODE),
        Recipient(role=Role.DISTRICT_BUREAU, district="310115"),
        Recipient(role=Role.MUNICIPAL_BUREAU),
    ]
    step = step.model_copy(update={"notices": [notice]})
    await ActivityEnvironment().run(store.apply_step, step)
    await ActivityEnvironment().run(store.apply_step, step)
    async with session_factory() as s:
        rows = list(
            await s.execute(
                select(tables.Notification.recipient, tables.Notification.subject).order_by(
                    tables.Notification.recipient
                )
            )
        )
    assert [r.recipient for r in rows] == [
        "district_bureau:310115",
        "municipal_bureau",
        f"unit:{CREDIT_CODE}",
    ]
    assert {r.subject for r in rows} == {notice.subject}


async def test_a_step_that_fails_writes_nothing_at_all(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    step = revoked_step()
    # The ending of a name the register never granted breaks an invariant: the whole step,
    # its decision records and read-model row included, is rolled back.
    ending = NameEnding(kind="revoked", at=NOW, on=NOW.date(), by=Role.DISTRICT_BUREAU, reason="x")
    broken = step.model_copy(
        update={"grants": [], "endings": [EndName(name_key="p1/district/404", ending=ending)]}
    )
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(store.apply_step, broken)
    assert (failed.value.type, failed.value.non_retryable) == ("StoreInvariant", False)
    assert "p1/district/404" in failed.value.message
    assert await counts(session_factory) == dict.fromkeys(
        ["decisions", "names", "name_endings", "notifications", "projects"], 0
    )


async def test_an_older_step_never_overwrites_a_newer_row(
    store: StoreActivities, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    newer = revoked_step()
    state, _ = new_state("p1", make_spec(), Policy(), NOW)
    older = StepInput.of("p1", [], project_row(state))
    await ActivityEnvironment().run(store.apply_step, newer)
    await ActivityEnvironment().run(store.apply_step, older)
    async with session_factory() as s:
        row = (await s.scalars(select(tables.Project))).one()
    assert (row.stage, row.state_seq) == ("revoked", newer.row.state_seq)


def test_step_input_round_trips_through_json_with_each_effect_in_its_place() -> None:
    step = revoked_step()
    again = StepInput.model_validate_json(step.model_dump_json())
    assert again == step
    assert [r.entry.event for r in again.records] == ["decide-acceptance", "report-violation"]
