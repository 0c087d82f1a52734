"""A database outage delays the records but loses nothing: activities retry until it answers."""

import uuid

import asyncpg
from sqlalchemy import select
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.testing import WorkflowEnvironment

from db import tables
from db.engine import make_engine, make_session_factory
from domain.decisions import DecideAcceptance, RequestAcceptance
from domain.stages import Stage
from tests.helpers import DISTRICT_BUREAU, UNIT, Harness, eventually, running_worker


async def retried_activity(h: Harness) -> bool:
    description = await h.client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=h.client.namespace, execution=WorkflowExecution(workflow_id=h.handle.id)
        )
    )
    return any(a.attempt >= 2 for a in description.pending_activities)


async def test_decisions_taken_while_the_database_is_down_are_recorded_when_it_returns(
    dev_env: WorkflowEnvironment, pg_socket_dir: str, template_database: str
) -> None:
    # The worker's database does not exist yet: every write fails until it is created.
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = make_engine(f"postgresql+asyncpg://postgres@/{name}?host={pg_socket_dir}")
    sessions = make_session_factory(engine)
    try:
        async with running_worker(dev_env.client, sessions) as h:
            await h.start()
            await h.decide(UNIT, RequestAcceptance())
            # Decisions are still taken: the process holds the truth, the records follow.
            state = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
            assert state.stage is Stage.DISTRICT_NAMED
            # Wait until the store has failed against the outage and is being retried.
            await eventually(lambda: retried_activity(h), bool, within=30)
            conn = await asyncpg.connect(host=pg_socket_dir, user="postgres", database="postgres")
            try:
                await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
            finally:
                await conn.close()

            async def recorded() -> tuple[list[str], str | None]:
                async with sessions() as s:
                    actions = list(
                        await s.scalars(
                            select(tables.Decision.action).order_by(tables.Decision.seq)
                        )
                    )
                    stage = await s.scalar(select(tables.Project.stage))
                    return actions, stage

            actions, _ = await eventually(recorded, lambda r: r[1] == "district_named", within=90)
            assert actions == ["request-acceptance", "decide-acceptance"]
    finally:
        await engine.dispose()
