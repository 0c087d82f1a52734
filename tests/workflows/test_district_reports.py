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
from tests.workflows.histories import record_report_history
from worker.main import STRICT_SANDBOX, build_worker
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


async def _owed(sessions: async_sessionmaker[AsyncSession], key: str) -> tables.ReportTask | None:
    async with sessions() as session:
        return await session.scalar(select(tables.ReportTask).where(tables.ReportTask.key == key))


async def test_a_report_is_reminded_escalated_then_submitted_once_by_its_own_bureau(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    period = period_containing(await workflow_env.get_current_time())
    report_id = report_workflow_id("310115", period.label)
    key = f"310115/{period.label}"
    async with build_worker(
        client, session_factory, task_queue=task_queue, workflow_runner=STRICT_SANDBOX
    ):
        # Started before its period ends (as a submission tried too early starts it).
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
        # Before the period ends, on Temporal's clock: refused, and nothing is owed yet.
        with pytest.raises(WorkflowUpdateFailedError) as early:
            await handle.execute_update(DistrictReport.submit, SubmitReport(actor=PUDONG))
        assert f"数据周期{period.label}尚未结束（至{period.last_day.isoformat()}）" in str(
            early.value.cause
        )
        assert await _notices(session_factory, report_id) == []
        assert await _owed(session_factory, key) is None
        # The period ends: the report is owed, in the district bureau's inbox, not escalated.
        await workflow_env.sleep(
            period.end - await workflow_env.get_current_time() + timedelta(hours=1)
        )
        owed = await eventually(lambda: _owed(session_factory, key), lambda r: r is not None)
        assert owed is not None
        assert (owed.due_at, owed.due_rule, owed.escalated) == (state.due_at, state.due_rule, False)
        assert owed.submitted_at is None
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
        escalated = await _owed(session_factory, key)
        assert escalated is not None
        assert escalated.escalated
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(DistrictReport.submit, SubmitReport(actor=XUHUI))
        assert "只能由该区市场监管局报送" in str(refused.value.cause)
        done = await handle.execute_update(
            DistrictReport.submit, SubmitReport(actor=PUDONG, note="本区数据已核对")
        )
        assert done.frozen
        assert await handle.result() == done
        async with session_factory() as session:
            report = await session.scalar(
                select(tables.DistrictReport).where(tables.DistrictReport.key == key)
            )
        assert report is not None
        assert report.figures["report_submitted"] is True
        assert report.submitted_by == "浦东新区市场监管局"
        assert report.note == "本区数据已核对"
        closed = await _owed(session_factory, key)
        assert closed is not None
        assert closed.submitted_at == report.submitted_at
        assert closed.escalated
        await record_report_history(client, report_id, "reminded_escalated_submitted")


async def test_the_opener_opens_one_report_per_district_for_the_period_that_ended(
    workflow_env: WorkflowEnvironment,
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    now = await workflow_env.get_current_time()
    ended = previous_period(now)
    async with build_worker(
        client, session_factory, task_queue=task_queue, workflow_runner=STRICT_SANDBOX
    ):
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
        async with build_worker(
            client, session_factory, task_queue=task_queue, workflow_runner=STRICT_SANDBOX
        ):
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
