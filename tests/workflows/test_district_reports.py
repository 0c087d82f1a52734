"""District reports as processes (Art. 9.1), on the time-skipping server and the dev server.

The time-skipping server does not run Schedules: the opener and the report process are tested
there directly; the schedule itself runs on the dev server, triggered, and its spec is checked
against the server's own next fire times (00:00 on 1 January, Asia/Shanghai).
"""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from db import tables
from domain.actors import Actor, Role
from domain.districts import DISTRICTS
from domain.durations import local_date, start_of_day
from domain.periods import period_containing, previous_period
from domain.policy import Policy
from tests.helpers import eventually
from worker.main import build_worker
from worker.schedules import SCHEDULE_ID, TIME_ZONE, ensure_report_schedule, period_starts
from workflows import report_workflow_id
from workflows.district_report import (
    DistrictReport,
    DistrictReportInput,
    DistrictReportsOpening,
    OpeningInput,
    SubmitReport,
)

PUDONG = Actor(role=Role.DISTRICT_BUREAU, district="310115", label="浦东新区市场监管局")
XUHUI = Actor(role=Role.DISTRICT_BUREAU, district="310104", label="徐汇区市场监管局")


async def _notices(sessions: async_sessionmaker[AsyncSession], workflow_id: str) -> list[str]:
    async with sessions() as session:
        rows = await session.scalars(
            select(tables.Notification)
            .where(tables.Notification.project_id == workflow_id)
            .order_by(tables.Notification.id)
        )
        return [f"{n.recipient} {n.subject}" for n in rows]


def test_the_schedule_fires_at_midnight_in_shanghai_on_each_period_start() -> None:
    [yearly] = period_starts(Policy()).calendars
    assert [(r.start, r.end, r.step) for r in yearly.month] == [(1, 12, 12)]
    assert [(r.start, r.end) for r in yearly.day_of_month] == [(1, 1)]
    assert [r.start for r in (*yearly.hour, *yearly.minute, *yearly.second)] == [0, 0, 0]
    assert period_starts(Policy()).time_zone_name == TIME_ZONE == "Asia/Shanghai"
    [quarterly] = period_starts(Policy(data_period="P3M")).calendars
    assert [(r.start, r.end, r.step) for r in quarterly.month] == [(1, 12, 3)]


async def test_a_report_is_reminded_escalated_then_submitted_once_by_its_own_bureau(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    period = period_containing(await workflow_env.get_current_time())
    report_id = report_workflow_id("310115", period.label)
    async with build_worker(client, session_factory, task_queue=task_queue):
        handle = await client.start_workflow(
            DistrictReport.run,
            DistrictReportInput(district="310115", period=period.label),
            id=report_id,
            task_queue=task_queue,
        )
        state = await eventually(
            lambda: handle.query(DistrictReport.state), lambda s: s.due_at is not None
        )
        assert state.due_at is not None
        # Two months after 31 December (a legal deadline: the end of its last working day).
        last_day = local_date(state.due_at - timedelta(microseconds=1))
        assert last_day >= date(period.last_day.year + 1, 2, 28)
        assert last_day < date(period.last_day.year + 1, 3, 10)
        await workflow_env.sleep(
            state.due_at - await workflow_env.get_current_time() + timedelta(hours=1)
        )
        await eventually(
            lambda: _notices(session_factory, report_id),
            lambda notices: len(notices) == 3,
        )
        assert [n.split(" ")[0] for n in await _notices(session_factory, report_id)] == [
            "district_bureau:310115",
            "district_bureau:310115",
            "municipal_bureau",
        ]
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(DistrictReport.submit, SubmitReport(actor=XUHUI))
        assert "只能由该区市场监管局报送" in str(refused.value.cause)
        done = await handle.execute_update(DistrictReport.submit, SubmitReport(actor=PUDONG))
        assert done.frozen
        assert await handle.result() == done
        async with session_factory() as session:
            report = await session.scalar(
                select(tables.DistrictReport).where(
                    tables.DistrictReport.key == f"310115/{period.label}"
                )
            )
        assert report is not None
        assert report.figures["report_submitted"] is True
        assert report.submitted_by == "浦东新区市场监管局"


async def test_the_opener_opens_one_report_per_district_for_the_period_that_ended(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    now = await workflow_env.get_current_time()
    ended = previous_period(now)
    async with build_worker(client, session_factory, task_queue=task_queue):
        opened = await client.execute_workflow(
            DistrictReportsOpening.run,
            OpeningInput(),
            id=f"opening-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        assert opened == [report_workflow_id(d, ended.label) for d in sorted(DISTRICTS)]
        # Opened twice (a retried opener): the same processes, none doubled.
        again = await client.execute_workflow(
            DistrictReportsOpening.run,
            OpeningInput(),
            id=f"opening-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        assert again == opened
        for report_id in opened:
            described = await client.get_workflow_handle(report_id).describe()
            assert described.status == WorkflowExecutionStatus.RUNNING
            await client.get_workflow_handle(report_id).terminate("test finished")


async def test_the_schedule_opens_every_districts_report_when_triggered(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client = dev_env.client
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    await ensure_report_schedule(client, Policy(), task_queue)
    await ensure_report_schedule(client, Policy(), task_queue)  # idempotent: updated, not doubled
    schedule = client.get_schedule_handle(SCHEDULE_ID)
    try:
        described = await schedule.describe()
        assert described.schedule.spec.time_zone_name == "Asia/Shanghai"
        # The server's own next fire time: 00:00 on the next 1 January in Shanghai.
        [first, *_] = described.info.next_action_times
        now = await dev_env.get_current_time()
        assert first == start_of_day(date(local_date(now).year + 1, 1, 1))
        async with build_worker(client, session_factory, task_queue=task_queue):
            await schedule.trigger()
            ended = previous_period(await dev_env.get_current_time())
            ids = [report_workflow_id(d, ended.label) for d in sorted(DISTRICTS)]

            async def running() -> list[WorkflowExecutionStatus | None]:
                statuses = []
                for report_id in ids:
                    try:
                        statuses.append(
                            (await client.get_workflow_handle(report_id).describe()).status
                        )
                    except Exception:
                        statuses.append(None)
                return statuses

            await eventually(
                running, lambda s: s == [WorkflowExecutionStatus.RUNNING] * len(ids), within=30
            )
            for report_id in ids:
                await client.get_workflow_handle(report_id).terminate("test finished")
    finally:
        await schedule.delete()
