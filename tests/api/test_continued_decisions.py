"""A decision that meets its project's run closing as it continues as new is sent again, once.

A district evaluation that completes its cycle makes the run continue as new right after its
step is written, and the API answers once that step is written. A decision sent in the next
few milliseconds can reach the closing run, which answers NOT_FOUND although the project lives
on; one CI run met that window (a 503 in the schemathesis test). The gateway now sends the
update again to the new run, with the same update id (api.services.temporal, `decide`).

The window is too narrow to meet on purpose (a hundred crossing pairs of decisions did not),
so these tests inject that NOT_FOUND with a client interceptor, on the real server and worker:
before the update reaches the process, after it was applied (the answer lost), and for good.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowUpdateInput,
    WorkflowUpdateHandle,
)
from temporalio.service import RPCError, RPCStatusCode

from api.errors import Unavailable
from api.services.temporal import CONTINUED_RETRIES, TemporalGateway
from domain.actors import Actor, Role
from domain.decisions import DecisionRequest, RequestAcceptance
from domain.stages import Stage
from tests.api.helpers import Api
from tests.helpers import CREDIT_CODE

UNIT = Actor(role=Role.UNIT, credit_code=CREDIT_CODE, label="张三")
REQUEST = DecisionRequest(actor=UNIT, decision=RequestAcceptance())


def closed_run() -> RPCError:
    return RPCError("Completed workflow", RPCStatusCode.NOT_FOUND, b"")


@dataclass
class Faults:
    """How many update calls fail, and whether each fails before or after it reaches Temporal."""

    failures: int
    after_sending: bool = False
    calls: int = 0


class _Outbound(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, faults: Faults) -> None:
        super().__init__(next)
        self.faults = faults

    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle[Any]:
        self.faults.calls += 1
        if self.faults.calls > self.faults.failures:
            return await super().start_workflow_update(input)
        if self.faults.after_sending:
            await (await super().start_workflow_update(input)).result()
        raise closed_run()


@dataclass
class ClosingRuns(Interceptor):
    faults: Faults

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Outbound(next, self.faults)


def gateway(api: Api, faults: Faults) -> TemporalGateway:
    config = api.client.config()
    config["interceptors"] = [ClosingRuns(faults)]
    client = Client(**config)
    return TemporalGateway(client, task_queue=api.task_queue, timeout=timedelta(seconds=10))


async def registered(api: Api) -> str:
    project_id = str((await api.register())["id"])
    await api.settled(project_id)
    return project_id


def requests_in(history: list[dict[str, Any]]) -> int:
    return sum(entry["event"] == "request-acceptance" for entry in history)


@pytest.mark.parametrize(
    "faults",
    [Faults(failures=1), Faults(failures=1, after_sending=True)],
    ids=["before_it_reached_the_process", "after_it_was_applied"],
)
async def test_a_decision_that_met_a_closed_run_is_sent_again_and_applied_once(
    api: Api, faults: Faults
) -> None:
    project_id = await registered(api)
    state = await gateway(api, faults).decide(
        project_id=project_id, request=REQUEST, update_id=None
    )
    assert faults.calls == 2
    assert state.stage is Stage.ACCEPTANCE
    project = await api.settled(project_id)
    assert project["stage"] == "acceptance"
    assert requests_in(project["history"]) == 1


async def test_a_run_that_stays_closed_is_answered_503_after_the_retries(api: Api) -> None:
    project_id = await registered(api)
    faults = Faults(failures=CONTINUED_RETRIES + 1)
    with pytest.raises(Unavailable):
        await gateway(api, faults).decide(project_id=project_id, request=REQUEST, update_id=None)
    assert faults.calls == CONTINUED_RETRIES + 1
    project = await api.settled(project_id)
    assert (project["stage"], requests_in(project["history"])) == ("building", 0)
