"""A step the records refuse stays pending and retried, and goes through once the data is fixed.

The names register loses a row (damaged by hand); the next revocation's step cannot end that
name, so its transaction rolls back and is retried. The process keeps running and accepting
decisions; once ops restore the row, the step lands, whole, on its next attempt.
"""

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from db import tables
from domain.decisions import DecideAcceptance, ReportViolation, RequestAcceptance
from domain.stages import Stage
from tests.helpers import DISTRICT_BUREAU, UNIT, Harness, eventually, running_worker


async def stuck_attempt(h: Harness) -> tuple[int, str]:
    """The pending activity's attempt number and last failure ((0, '') when none)."""
    description = await h.client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=h.client.namespace, execution=WorkflowExecution(workflow_id=h.handle.id)
        )
    )
    for pending in description.pending_activities:
        return pending.attempt, pending.last_failure.message
    return 0, ""


async def test_a_refused_step_is_retried_until_the_register_is_repaired(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with running_worker(dev_env.client, session_factory) as h:
        await h.start()
        await h.decide(UNIT, RequestAcceptance())
        named = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
        await h.state()
        async with session_factory.begin() as s:
            lost = (await s.scalars(select(tables.Name))).one()
            kept = {c.key: getattr(lost, c.key) for c in tables.Name.__mapper__.column_attrs}
            await s.execute(delete(tables.Name))

        finding = ReportViolation(scope="district", finding="false_data", note="报送数据不实")
        revoked = await h.decide(DISTRICT_BUREAU, finding)
        assert revoked.stage is Stage.REVOKED  # the decision is taken; its records wait
        _, failure = await eventually(lambda: stuck_attempt(h), lambda a: a[0] >= 2)
        assert f"{lost.key} is not in the register" in failure
        async with session_factory() as s:
            # The whole step rolled back: no decision record, no ending, the row as it was.
            actions = list(await s.scalars(select(tables.Decision.action)))
            row = (await s.scalars(select(tables.Project))).one()
        assert actions == ["request-acceptance", "decide-acceptance"]
        assert (row.stage, row.state_seq) == ("district_named", named.seq)
        history = await h.handle.fetch_history()
        assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in {
            e.event_type for e in history.events
        }

        async with session_factory.begin() as s:  # ops restore the row
            await s.execute(insert(tables.Name).values(kept))

        async def recorded() -> tuple[str, int]:
            async with session_factory() as s:
                row = (await s.scalars(select(tables.Project))).one()
                endings = await s.scalar(select(func.count()).select_from(tables.NameEnding))
            return row.stage, int(endings or 0)

        assert await eventually(recorded, lambda r: r[0] == "revoked", within=30) == (
            "revoked",
            1,
        )
        async with session_factory() as s:
            actions = list(await s.scalars(select(tables.Decision.action).order_by("seq")))
        assert actions == ["request-acceptance", "decide-acceptance", "report-violation"]
        handle = dev_env.client.get_workflow_handle(h.handle.id)

        async def status() -> WorkflowExecutionStatus | None:
            return (await handle.describe()).status

        await eventually(status, lambda s: s is WorkflowExecutionStatus.COMPLETED)
