"""A database outage delays the records but loses nothing: activities retry until it answers.

The outage is real: a PostgreSQL of this test's own is stopped while decisions are taken and
started again; every record then arrives, once.
"""

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.testing import WorkflowEnvironment

from db import tables
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from domain.decisions import DecideAcceptance, RequestAcceptance
from domain.stages import Stage
from tests.helpers import (
    CREDIT_CODE,
    DISTRICT,
    DISTRICT_BUREAU,
    UNIT,
    Harness,
    eventually,
    running_worker,
)
from tests.postgres import Postgres, on_server

DATABASE = "qis_outage"
DISTRICT_NAME = "浦东新区生物医药质量基础设施“一站式”服务项目"


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    yield server
    server.close()


@pytest.fixture
async def sessions(postgres: Postgres) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await on_server(postgres.socket_dir, f'CREATE DATABASE "{DATABASE}"')
    await upgrade(postgres.url(DATABASE))
    engine = make_engine(postgres.url(DATABASE))
    yield make_session_factory(engine)
    await engine.dispose()


async def retried_activity(h: Harness) -> bool:
    description = await h.client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=h.client.namespace, execution=WorkflowExecution(workflow_id=h.handle.id)
        )
    )
    return any(a.attempt >= 2 for a in description.pending_activities)


async def stage_recorded(sessions: async_sessionmaker[AsyncSession]) -> str | None:
    async with sessions() as s:
        return await s.scalar(select(tables.Project.stage))


async def test_decisions_taken_while_the_database_is_down_are_recorded_once_it_returns(
    dev_env: WorkflowEnvironment,
    postgres: Postgres,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with running_worker(dev_env.client, sessions) as h:
        await h.start()
        assert await eventually(lambda: stage_recorded(sessions), bool) == "building"
        await h.settle()

        await postgres.stop()
        # Decisions are still taken: the process holds the truth, the records follow.
        await h.decide(UNIT, RequestAcceptance())
        state = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
        assert state.stage is Stage.DISTRICT_NAMED
        # Wait until the store has failed against the outage and is being retried.
        await eventually(lambda: retried_activity(h), bool, within=60)
        assert not await h.idle()
        await postgres.start()

        await eventually(
            lambda: stage_recorded(sessions), lambda s: s == "district_named", within=120
        )
        await h.settle(within=120)
        async with sessions() as s:
            actions = list(
                await s.scalars(select(tables.Decision.action).order_by(tables.Decision.seq))
            )
            names = list(await s.scalars(select(tables.Name.name)))
            notices = list(
                await s.execute(
                    select(tables.Notification.recipient, func.count())
                    .group_by(tables.Notification.recipient)
                    .order_by(tables.Notification.recipient)
                )
            )
        assert actions == ["request-acceptance", "decide-acceptance"]
        assert names == [DISTRICT_NAME]
        # One notice to the district bureau (the acceptance request), one to the unit (named).
        assert [tuple(n) for n in notices] == [
            (f"district_bureau:{DISTRICT}", 1),
            (f"unit:{CREDIT_CODE}", 1),
        ]
