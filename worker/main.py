"""The worker: the lifecycle workflow and the store activities with their database."""

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from activities.calendar import load_work_calendar
from activities.store import StoreActivities
from db.engine import make_engine, make_session_factory
from worker.metrics import RetryCounter
from workflows import TASK_QUEUE
from workflows.lifecycle import ProjectLifecycle

log = logging.getLogger(__name__)


def build_worker(
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
    task_queue: str = TASK_QUEUE,
    graceful_shutdown: timedelta = timedelta(0),
) -> Worker:
    """A worker for the lifecycle on `task_queue`, its activities writing through the factory.

    On shutdown, activities in flight get `graceful_shutdown` to finish before they are
    cancelled (and retried elsewhere: every activity is idempotent). Retried attempts are
    counted on the client's runtime metrics (worker/metrics.py).
    """
    store = StoreActivities(session_factory)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[ProjectLifecycle],
        activities=[*store.all(), load_work_calendar],
        interceptors=[RetryCounter()],
        graceful_shutdown_timeout=graceful_shutdown,
    )


async def serve(client: Client, database_url: str) -> None:
    """Run the worker until cancelled; one engine for the process."""
    engine = make_engine(database_url)
    try:
        worker = build_worker(client, make_session_factory(engine))
        log.info("worker polling task queue %s", TASK_QUEUE)
        await worker.run()
    finally:
        await engine.dispose()
