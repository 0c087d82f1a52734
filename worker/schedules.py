"""The Temporal Schedule that opens the district reports as each data period ends (Art. 9.1).

One schedule, `qis-district-reports`, fires at 00:00 Asia/Shanghai on the first day of each
period (1 January for the default calendar year) and starts `DistrictReportsOpening`, which
opens one `DistrictReport` process per district with the id `district-report-{code}-{period}`
(a schedule appends its fire time to the ids of what it starts, so the deterministic per-district
ids come from the opener). The worker creates the schedule as it starts, or brings an existing
one up to its policy: the worker is what runs these processes, every worker reads the same
policy file, and create-or-update is idempotent (docs/regulation.md "District reports").
"""

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError

from domain.periods import PERIOD_MONTHS
from domain.policy import Policy
from workflows.district_report import DistrictReportsOpening, OpeningInput

log = logging.getLogger(__name__)

SCHEDULE_ID = "qis-district-reports"
OPENING_ID = "district-reports-opening"
# A worker down over the period boundary still opens the reports when it is back.
CATCHUP = timedelta(days=90)
# Periods begin at midnight in Shanghai (docs/deadlines.md: all dates are Shanghai dates).
TIME_ZONE = "Asia/Shanghai"


def period_starts(policy: Policy) -> ScheduleSpec:
    """00:00 Asia/Shanghai on the first day of each data period."""
    step = PERIOD_MONTHS[policy.data_period]
    return ScheduleSpec(
        calendars=[
            ScheduleCalendarSpec(
                second=[ScheduleRange(0)],
                minute=[ScheduleRange(0)],
                hour=[ScheduleRange(0)],
                day_of_month=[ScheduleRange(1)],
                month=[ScheduleRange(1, 12, step)],
                comment="数据周期开始：汇总上一周期的区级报告",
            )
        ],
        time_zone_name=TIME_ZONE,
    )


def report_schedule(policy: Policy, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DistrictReportsOpening.run,
            OpeningInput(policy=policy),
            id=OPENING_ID,
            task_queue=task_queue,
        ),
        spec=period_starts(policy),
        policy=SchedulePolicy(catchup_window=CATCHUP),
    )


async def ensure_report_schedule(client: Client, policy: Policy, task_queue: str) -> None:
    """Create the schedule, or bring an existing one up to this policy and task queue.

    A Temporal that fails to answer here does not stop the worker: the next start tries again,
    and a district's submit opens its report process when none is open."""
    schedule = report_schedule(policy, task_queue)
    try:
        try:
            await client.create_schedule(SCHEDULE_ID, schedule)
            log.info("已创建区级报告计划 / schedule %s created", SCHEDULE_ID)
        except ScheduleAlreadyRunningError:

            def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=schedule)

            await client.get_schedule_handle(SCHEDULE_ID).update(replace)
    except RPCError as err:
        log.error("区级报告计划未能创建或更新 / schedule %s not ensured: %s", SCHEDULE_ID, err)
