"""DistrictReport: one district's report for one data period, as a durable process (Art. 9.1).

Opened when the period ends (by the schedule's DistrictReportsOpening, or by the first submit
for a period whose process is missing), it tells the district bureau what is due and when (a
legal deadline: `district_report_due_after` from the period's last day, on the work calendar),
reminds it, escalates to the municipal bureau when late, and waits for the `submit` update. The
submission freezes the district's figures for the period in the same transaction that tells the
municipal bureau (activities.reports); then the process ends. Workflow id:
`district-report-{district}-{period}` (docs/regulation.md "District reports").
"""

import contextlib
from datetime import datetime, timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from workflows import report_workflow_id

with workflow.unsafe.imports_passed_through():
    from activities.calendar import CalendarRequest, load_work_calendar
    from activities.reports import OwedReport, ReportActivities, ReportNotice, ReportStep
    from domain.actors import Actor, Role
    from domain.deadlines import legal_deadline
    from domain.districts import DISTRICTS, district_name
    from domain.durations import add_duration, local_date
    from domain.effects import Recipient
    from domain.periods import Period, parse_period, previous_period
    from domain.policy import Policy
    from domain.state import deadline_day

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# A process started before its period ended waits for the end before it opens the report.
OPENS_AT_PERIOD_END = "report-opens-at-period-end"
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


class DistrictReportInput(BaseModel):
    """The district, the period and the policy the report is due under."""

    district: str
    period: str
    policy: Policy = Policy()


class SubmitReport(BaseModel):
    """The district bureau's submission: who, and an optional note for the municipal bureau."""

    actor: Actor
    note: str | None = None


class DistrictReportState(BaseModel):
    """What the process knows: the due date, what was sent, whether the report is in."""

    district: str
    period: str
    opened_at: datetime
    due_at: datetime | None = None
    due_rule: str | None = None
    reminder_at: datetime | None = None
    reminded: bool = False
    escalated: bool = False
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    frozen: bool = False


def refusal(
    state: DistrictReportState, request: SubmitReport, period: Period | None, now: datetime
) -> str | None:
    """Why the submission is not accepted now, or None (on Temporal's clock: `now`)."""
    actor = request.actor
    if actor.role is not Role.DISTRICT_BUREAU or actor.district != state.district:
        return f"{district_name(state.district)}的报告只能由该区市场监管局报送"
    if period is not None and now < period.end:
        return (
            f"数据周期{period.label}尚未结束（至{period.last_day.isoformat()}），"
            "结束后才能报送区级报告"
        )
    if state.submitted_at is not None:
        when = local_date(state.submitted_at).isoformat()
        return (
            f"{district_name(state.district)}{state.period}周期的报告已于{when}报送，不能重复报送"
        )
    return None


@workflow.defn(name="DistrictReport")
class DistrictReport:
    """One district's yearly (per period) report to the municipal bureau."""

    @workflow.init
    def __init__(self, input: DistrictReportInput) -> None:
        self._input = input
        self._state = DistrictReportState(
            district=input.district, period=input.period, opened_at=workflow.now()
        )
        self._submission: SubmitReport | None = None
        self._period = parse_period(input.period, input.policy.data_period)

    @workflow.run
    async def run(self, input: DistrictReportInput) -> DistrictReportState:
        state = self._state
        period = self._period
        if period is None:
            raise ApplicationError(f"unknown period {input.period}", non_retryable=True)
        await self._set_due(period, input.policy)
        if workflow.patched(OPENS_AT_PERIOD_END) and workflow.now() < period.end:
            # Started early (a submission tried before the period ended): the report is owed,
            # and the bureau told, only once the period has ended.
            await workflow.sleep(period.end - workflow.now())
        assert state.due_at is not None
        due_on = deadline_day(state.due_at, state.due_rule).isoformat()
        name = district_name(state.district)
        workflow.set_current_details(
            f"**{name}{period.label}周期区级报告**\n\n- 应报送日期：{due_on}\n- 状态：待区市场监管局报送"
        )
        await self._step(
            "open",
            [self._district()],
            f"请报送{period.label}周期区级报告",
            f"请于{due_on}前汇总{name}服务项目{period.label}周期的成效数据，"
            "向市市场监管局报送区级报告（第九条第一项）。",
        )
        while self._submission is None:
            wake = self._next_wake()
            timeout = wake - workflow.now() if wake else None
            if timeout is None or timeout > timedelta(0):
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(
                        lambda: self._submission is not None, timeout=timeout
                    )
            if self._submission is not None:
                break
            await self._fire(due_on)
        submission = self._submission
        await self._activity(
            ReportStep(
                workflow_id=workflow.info().workflow_id,
                district=state.district,
                period=period.label,
                period_start=period.start,
                period_end=period.end,
                submitted_at=state.submitted_at,
                submitted_by=state.submitted_by,
                note=submission.note,
                owed=self._owed(),
                notices=[
                    self._notice(
                        "submitted",
                        [Recipient(role=Role.MUNICIPAL_BUREAU)],
                        f"{name}报送{period.label}周期区级报告",
                        f"{name}市场监管局已报送{period.label}周期区级报告，"
                        f"该区本周期数据已冻结。{submission.note or ''}",
                    )
                ],
            )
        )
        state.frozen = True
        workflow.set_current_details(
            f"**{name}{period.label}周期区级报告**\n\n- 状态：已报送（{state.submitted_by}），数据已冻结"
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return state

    @workflow.update
    async def submit(self, request: SubmitReport) -> DistrictReportState:
        """Submit the report; returns once the district's figures are frozen."""
        self._submission = request
        self._state.submitted_at = workflow.now()
        self._state.submitted_by = request.actor.label or request.actor.role.label
        await workflow.wait_condition(lambda: self._state.frozen)
        return self._state

    @submit.validator
    def _validate_submit(self, request: SubmitReport) -> None:
        problem = refusal(self._state, request, self._period, workflow.now())
        if problem:
            raise ApplicationError(problem, type="ReportRefused", non_retryable=True)

    @workflow.query
    def state(self) -> DistrictReportState:
        """The report's due date, reminders sent, and whether it is in."""
        return self._state

    async def _set_due(self, period: Period, policy: Policy) -> None:
        """A legal deadline from the period's last day, on the work calendar (docs/deadlines.md)."""
        state = self._state
        after = policy.district_report_due_after
        plain_end = add_duration(period.last_day_start, after)
        calendar = await workflow.execute_local_activity(
            load_work_calendar,
            CalendarRequest(
                first_year=period.last_day.year,
                last_year=plain_end.year + 1,
                additions=policy.calendar,
            ),
            start_to_close_timeout=timedelta(seconds=30),
        )
        deadline = legal_deadline(period.last_day_start, after, calendar)
        state.due_at, state.due_rule = deadline.due, deadline.label
        reminder = add_duration(deadline.due, policy.decision_reminder_before, -1)
        state.reminder_at = reminder if reminder > workflow.now() else None

    def _next_wake(self) -> datetime | None:
        state = self._state
        if state.reminder_at and not state.reminded:
            return state.reminder_at
        if state.due_at and not state.escalated:
            return state.due_at
        return None

    async def _fire(self, due_on: str) -> None:
        """The reminder to the district bureau, or the escalation to the municipal bureau."""
        state = self._state
        name = district_name(state.district)
        if state.reminder_at and not state.reminded:
            state.reminded = True
            await self._step(
                "reminder",
                [self._district()],
                f"{state.period}周期区级报告即将到期",
                f"请于{due_on}前报送{name}{state.period}周期区级报告。",
            )
            return
        state.escalated = True
        await self._step(
            "escalation",
            [Recipient(role=Role.MUNICIPAL_BUREAU)],
            f"督办：{name}{state.period}周期区级报告逾期未报",
            f"{name}市场监管局应于{due_on}前报送{state.period}周期区级报告，已逾期，请督办。",
        )

    def _owed(self) -> OwedReport | None:
        """The inbox entry as it stands (docs/regulation.md "District reports")."""
        state = self._state
        if state.due_at is None:
            return None
        return OwedReport(
            opened_at=state.opened_at,
            due_at=state.due_at,
            due_rule=state.due_rule,
            escalated=state.escalated,
        )

    def _district(self) -> Recipient:
        return Recipient(role=Role.DISTRICT_BUREAU, district=self._state.district)

    def _notice(self, tag: str, to: list[Recipient], subject: str, body: str) -> ReportNotice:
        key = f"{workflow.info().workflow_id}/{tag}"
        return ReportNotice(key=key, recipients=to, subject=subject, body=body)

    async def _step(self, tag: str, to: list[Recipient], subject: str, body: str) -> None:
        await self._activity(
            ReportStep(
                workflow_id=workflow.info().workflow_id,
                district=self._state.district,
                period=self._state.period,
                notices=[self._notice(tag, to, subject, body)],
                owed=self._owed(),
            )
        )

    async def _activity(self, step: ReportStep) -> None:
        await workflow.execute_activity_method(
            ReportActivities.apply_report_step,
            step,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )


class OpeningInput(BaseModel):
    """The policy the schedule was made with (its data period and due dates)."""

    policy: Policy = Policy()


@workflow.defn(name="DistrictReportsOpening")
class DistrictReportsOpening:
    """Started by the schedule as a period ends: opens each district's report process."""

    @workflow.run
    async def run(self, input: OpeningInput) -> list[str]:
        period = previous_period(workflow.now(), input.policy.data_period)
        opened = []
        for district in sorted(DISTRICTS):
            report_id = report_workflow_id(district, period.label)
            # Opened already (a retried opener, or a submit that came first): fine.
            with contextlib.suppress(WorkflowAlreadyStartedError):
                # Abandoned, not cancelled, when this opener ends: each report runs on its own.
                await workflow.start_child_workflow(
                    DistrictReport.run,
                    DistrictReportInput(
                        district=district, period=period.label, policy=input.policy
                    ),
                    id=report_id,
                    parent_close_policy=ParentClosePolicy.ABANDON,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )
            opened.append(report_id)
        return opened
