"""The worker: the lifecycle and district report workflows, their activities and database."""

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.calendar import load_work_calendar
from activities.reports import ReportActivities
from activities.store import StoreActivities
from db.engine import make_engine, make_session_factory
from domain.policy import Policy
from worker.metrics import RetryCounter
from worker.schedules import ensure_report_schedule
from workflows import TASK_QUEUE
from workflows.district_report import DistrictReport, DistrictReportsOpening
from workflows.lifecycle import ProjectLifecycle

log = logging.getLogger(__name__)

# What a deployed worker runs workflows in: the SDK's sandbox with every module passed through,
# so a workflow's modules are imported once per process instead of once per run (about a quarter
# less memory per cached process and less CPU per new run, docs/performance.md). Those modules
# keep no state between runs. The price: a nondeterministic call written in a workflow module
# (`datetime.now()`, `ZoneInfo`) is no longer refused as it runs. The strict sandbox refuses it,
# and it runs the test suite's workers and the replay gate (docs/testing.md).
DEPLOYED_SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_all_modules()
)
STRICT_SANDBOX = SandboxedWorkflowRunner()


def build_worker(
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
    task_queue: str = TASK_QUEUE,
    graceful_shutdown: timedelta = timedelta(0),
    workflow_runner: WorkflowRunner = DEPLOYED_SANDBOX,
) -> Worker:
    """A worker for the lifecycle on `task_queue`, its activities writing through the factory.

    On shutdown, activities in flight get `graceful_shutdown` to finish before they are
    cancelled (and retried elsewhere: every activity is idempotent). Retried attempts are
    counted on the client's runtime metrics (worker/metrics.py).
    """
    store = StoreActivities(session_factory)
    reports = ReportActivities(session_factory)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[ProjectLifecycle, DistrictReport, DistrictReportsOpening],
        activities=[*store.all(), *reports.all(), load_work_calendar],
        interceptors=[RetryCounter()],
        graceful_shutdown_timeout=graceful_shutdown,
        workflow_runner=workflow_runner,
    )


async def serve(client: Client, database_url: str, policy: Policy | None = None) -> None:
    """Run the worker until cancelled; one engine for the process. The district reports'
    schedule is created or brought up to the policy first (worker/schedules.py)."""
    await ensure_report_schedule(client, policy or Policy(), TASK_QUEUE)
    engine = make_engine(database_url)
    try:
        worker = build_worker(client, make_session_factory(engine))
        log.info("worker polling task queue %s", TASK_QUEUE)
        await worker.run()
    finally:
        await engine.dispose()
