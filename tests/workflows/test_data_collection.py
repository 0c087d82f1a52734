"""Data collection in the process (rules 4, Art. 9.1), on the time-skipping server.

A named project's unit owes its figures for each data period: the task opens when the period
ends (00:00 Shanghai on 1 January), is due a month after the period's last day as a legal
deadline, is reminded, and escalates to the district bureau when late. Submissions and the
where each project stands for each period are written with the step (tables `data_submissions`,
`data_periods`).
"""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db import tables
from domain.decisions import SubmitData
from domain.durations import local_date
from domain.elements import Element
from domain.periods import parse_period
from domain.project import ImportedNaming
from domain.state import RULES, ProjectState, TaskKind
from tests.helpers import UNIT, Harness, eventually, legal_due


def _data(period: str, smes: int) -> SubmitData:
    return SubmitData(
        period=period,
        smes_served=smes,
        services={Element.METROLOGY: 40, Element.STANDARDS: 3},
        improvements="检测周期缩短三成",
    )


async def _rows(
    sessions: async_sessionmaker[AsyncSession], project_id: str
) -> tuple[list[tables.DataPeriod], list[tables.DataSubmission]]:
    async with sessions() as session:
        owed = await session.scalars(
            select(tables.DataPeriod)
            .where(tables.DataPeriod.project_id == project_id)
            .order_by(tables.DataPeriod.period)
        )
        sent = await session.scalars(
            select(tables.DataSubmission)
            .where(tables.DataSubmission.project_id == project_id)
            .order_by(tables.DataSubmission.seq)
        )
        return list(owed), list(sent)


async def _open_period(env: WorkflowEnvironment, h: Harness) -> ProjectState:
    """Moved on to the end of the current data period: its task is open."""
    state = await h.state()
    end = state.next_data_period_end
    assert end is not None
    state = await h.advance(env, end + timedelta(minutes=1))
    return await eventually(h.state, lambda s: s.next_data_period_end != end)


async def test_two_data_periods_one_on_time_one_late_and_escalated(
    workflow_env: WorkflowEnvironment,
    h: Harness,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    today = local_date(await workflow_env.get_current_time())
    await h.start(imported=ImportedNaming(district_named_on=today - timedelta(days=30)))
    state = await h.state()
    assert state.rules == RULES == 4
    first = parse_period(str(today.year))
    assert first is not None
    assert state.next_data_period_end == first.end

    # The year ends: the unit's task for it, due a month after 31 December (a legal deadline).
    state = await _open_period(workflow_env, h)
    task = state.data_task(first.label)
    assert task is not None
    assert task.role.value == "unit"
    assert task.due_at == legal_due(state, first.last_day_start, "P1M")
    assert local_date(task.due_at - timedelta(microseconds=1)) >= date(today.year + 1, 1, 31)
    state = await h.decide(UNIT, _data(first.label, 12))
    assert state.data_task(first.label) is None
    assert state.data_submitted == [first.label]

    # The next year ends; nothing comes: reminded, then escalated to the district bureau.
    state = await _open_period(workflow_env, h)
    second = parse_period(str(today.year + 1))
    assert second is not None
    task = state.data_task(second.label)
    assert task is not None
    state = await h.advance(workflow_env, task.due_at + timedelta(minutes=1))
    events = [e.event for e in state.history]
    assert "reminder:data_submission" in events
    assert "escalation:data_submission" in events
    async with session_factory() as session:
        escalated = await session.scalars(
            select(tables.Notification).where(
                tables.Notification.project_id == h.project_id,
                tables.Notification.key.like("%escalation:data_submission%"),
            )
        )
        assert [(n.recipient_role, n.recipient_district) for n in escalated] == [
            ("district_bureau", "310115")
        ]
    state = await h.decide(UNIT, _data(second.label, 7))
    state = await h.decide(UNIT, _data(second.label, 9))  # a correction
    assert state.history[-1].summary.startswith(f"更正{second.label}周期成效数据")

    await h.settle()
    owed, sent = await _rows(session_factory, h.project_id)
    assert [(o.period, o.owed, o.due_at) for o in owed] == [
        (first.label, True, legal_due(state, first.last_day_start, "P1M")),
        (second.label, True, legal_due(state, second.last_day_start, "P1M")),
    ]
    # Where each period stands: the first submission's timeliness, the latest figures.
    assert [(o.on_time, o.smes_served, o.first_seq == o.latest_seq) for o in owed] == [
        (True, 12, True),
        (False, 9, False),
    ]
    assert [(s.period, s.smes_served, s.on_time) for s in sent] == [
        (first.label, 12, True),
        (second.label, 7, False),
        (second.label, 9, False),
    ]
    assert sent[0].services == {"metrology": 40, "standards": 3}
    assert [t.kind for t in state.tasks if t.kind is TaskKind.DATA_SUBMISSION] == []
