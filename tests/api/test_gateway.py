"""The Temporal gateway on its own: a closed process answers 409 (ended), not 404 or 503."""

from datetime import timedelta

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest

from api.errors import NotFound, ProjectEnded
from api.services.temporal import TemporalGateway
from domain.decisions import DecisionRequest, RequestAcceptance
from tests.api.helpers import Api
from tests.helpers import UNIT, eventually
from workflows import workflow_id


async def test_a_closed_process_is_reported_as_ended(api: Api) -> None:
    pid = (await api.register())["id"]
    await api.decide(pid, "withdraw", {"reason": "不再建设"}, "unit")

    async def status() -> int:
        description = await api.client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=api.client.namespace,
                execution=WorkflowExecution(workflow_id=workflow_id(pid)),
            )
        )
        return description.workflow_execution_info.status

    await eventually(
        status, lambda s: s == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
    )
    gateway = TemporalGateway(api.client, task_queue=api.task_queue, timeout=timedelta(seconds=5))
    request = DecisionRequest(actor=UNIT, decision=RequestAcceptance())
    with pytest.raises(ProjectEnded, match="已结束"):
        await gateway.decide(project_id=pid, request=request, update_id=None)
    assert (await gateway.state(pid)).stage == "withdrawn"
    with pytest.raises(NotFound):
        await gateway.state("0" * 32)
    with pytest.raises(NotFound):
        await gateway.decide(project_id="0" * 32, request=request, update_id=None)
