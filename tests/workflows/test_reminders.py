"""Reminders before a decision's due date, escalations after it, rectification reminders."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db import tables
from domain.decisions import RequestAcceptance, ReviewMunicipal, Scores
from domain.durations import add_duration
from domain.state import TaskKind
from tests.helpers import MUNICIPAL_BUREAU, SCORES, UNIT, Harness, eventually, legal_due
from tests.workflows.test_evaluations import name_municipal, until


async def outbox(
    session_factory: async_sessionmaker[AsyncSession], project_id: str
) -> list[tuple[str, str]]:
    async with session_factory() as s:
        rows = await s.execute(
            select(tables.Notification.recipient, tables.Notification.subject)
            .where(tables.Notification.project_id == project_id)
            .order_by(tables.Notification.id)
        )
        return [(r, subject) for r, subject in rows]


async def test_decision_reminder_then_escalation_on_their_dates(
    workflow_env: WorkflowEnvironment,
    h: Harness,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await h.start()
    state = await h.decide(UNIT, RequestAcceptance())
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    # Legal deadline: 24:00 of the 30th day, moved over rest days; the reminder 7 days before.
    assert task.due_at == legal_due(state, task.opened_at, "P30D")
    assert task.due_rule is not None
    assert task.reminder_at == add_duration(task.due_at, "P7D", -1)
    # A day before the reminder nothing has fired.
    state = await h.advance(workflow_env, task.reminder_at - timedelta(days=1))
    assert [e.event for e in state.history] == ["register", "request-acceptance"]
    state = await h.advance(workflow_env, task.due_at + timedelta(days=1))
    fired = [(e.event, e.at) for e in state.history[2:]]
    assert fired == [
        ("reminder:acceptance", task.reminder_at),
        ("escalation:acceptance", task.due_at),
    ]
    # The process keeps waiting for the decision.
    open_task = state.task(TaskKind.ACCEPTANCE)
    assert open_task is not None
    assert open_task.reminded
    assert open_task.escalated
    messages = await eventually(
        lambda: outbox(session_factory, h.project_id), lambda rows: len(rows) == 3
    )
    assert messages == [
        (
            "district_bureau:310115",
            "【浦东新区生物医药质量基础设施“一站式”服务项目】申请验收",
        ),
        (
            "district_bureau:310115",
            "【浦东新区生物医药质量基础设施“一站式”服务项目】项目验收即将到期",
        ),
        (
            "municipal_bureau",
            "【浦东新区生物医药质量基础设施“一站式”服务项目】督办：项目验收已逾期",
        ),
    ]


async def test_rectification_reminders_thirty_and_seven_days_before_the_deadline(
    workflow_env: WorkflowEnvironment,
    h: Harness,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await name_municipal(h)
    await until(workflow_env, h, TaskKind.MUNICIPAL_REVIEW)
    state = await h.decide(MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=Scores(**SCORES)))
    deadline = state.rectification_deadline
    assert deadline is not None
    assert state.rectification_reminders == [
        add_duration(deadline, "P30D", -1),
        add_duration(deadline, "P7D", -1),
    ]
    state = await until(workflow_env, h, TaskKind.RECTIFICATION_REVIEW)
    fired = [(e.event, e.at) for e in state.history if e.event.startswith(("reminder", "due"))]
    assert fired[-3:] == [
        ("reminder:rectification", add_duration(deadline, "P30D", -1)),
        ("reminder:rectification", add_duration(deadline, "P7D", -1)),
        ("due:rectification_review", deadline),
    ]
    review = state.task(TaskKind.RECTIFICATION_REVIEW)
    assert review is not None
    assert review.due_at == legal_due(state, deadline, "P30D")
    # Each reminder went to the unit and the municipal bureau; the review, to the bureau.
    subject = "【上海市生物医药质量基础设施集成服务项目】"
    expected = [
        ("unit:91310115MA1H7XK2BM", f"{subject}整改期即将届满"),
        ("municipal_bureau", f"{subject}整改期即将届满"),
    ] * 2 + [("municipal_bureau", f"{subject}整改复评到期")]

    async def timed() -> list[tuple[str, str]]:
        rows = await outbox(session_factory, h.project_id)
        return [r for r in rows if r[1].endswith(("整改期即将届满", "整改复评到期"))]

    assert await eventually(timed, lambda rows: len(rows) >= len(expected)) == expected
