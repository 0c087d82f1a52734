"""The one place the API talks to Temporal: bounded in time, errors turned into typed ones.

Every call runs under a deadline, so a Temporal that does not answer (down, partitioned, no
worker to run a query or an update) becomes `Unavailable` (503 with Retry-After), never a hang.
"""

import asyncio
import contextlib
import uuid
from datetime import timedelta

from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import (
    Conflict,
    DecisionRefused,
    InvalidInput,
    NotFound,
    ProjectEnded,
    Unavailable,
)
from domain.actors import Actor
from domain.decisions import DecisionRequest
from domain.policy import Policy
from domain.project import ImportedNaming
from domain.state import ProjectState
from workflows import report_workflow_id, workflow_id
from workflows.district_report import (
    DistrictReport,
    DistrictReportInput,
    DistrictReportState,
    SubmitReport,
)
from workflows.inputs import FirstStep
from workflows.lifecycle import ProjectLifecycle
from workflows.start import start_project

RETRY_AFTER_SECONDS = 5
# What a call raises when Temporal does not answer: a deadline passed, an RPC failed, or (for a
# client that connects lazily) the connection could not be made at all (RuntimeError).
_NO_ANSWER = (TimeoutError, RPCError, RPCTimeoutOrCancelledError, RuntimeError)
UNAVAILABLE = "流程服务（Temporal）暂时无法响应，请稍后重试"
RETRY_DECISION = "决定可能尚未执行；带同一 Idempotency-Key 重试可保证只执行一次"
# A decision that met its run closing as it continued as new is sent again this often.
CONTINUED_RETRIES = 3
CONTINUED_PAUSE = 0.05  # seconds: the new run's first task is usually already done


class TemporalGateway:
    """Starts, queries and updates project workflows within a deadline."""

    def __init__(self, client: Client, *, task_queue: str, timeout: timedelta) -> None:
        self.client = client
        self.task_queue = task_queue
        self.timeout = timeout

    async def start(self, first: FirstStep, *, imported: ImportedNaming | None) -> None:
        """Start a project's lifecycle; an id already started (a retried request) is fine."""
        try:
            async with asyncio.timeout(self.timeout.total_seconds()):
                await start_project(
                    self.client, first, imported=imported, task_queue=self.task_queue
                )
        except WorkflowAlreadyStartedError:
            return
        except _NO_ANSWER as err:
            # Rare: the start may have reached Temporal before the deadline passed. Its process
            # then writes its own read-model row; a retry with the same Idempotency-Key finds it,
            # one without gets 409 naming it. Terminating it here would break that retry.
            raise _unavailable(
                err, "登记未完成；重试时带同一 Idempotency-Key 可避免重复登记"
            ) from err

    async def state(self, project_id: str) -> ProjectState:
        """The project's current state, from the workflow's `state` query (ended ones too)."""
        handle = self.client.get_workflow_handle_for(ProjectLifecycle.run, workflow_id(project_id))
        try:
            async with asyncio.timeout(self.timeout.total_seconds()):
                return await handle.query(ProjectLifecycle.state, rpc_timeout=self.timeout)
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                raise NotFound(f"项目“{project_id}”的流程不存在") from err
            raise _unavailable(err) from err
        except (*_NO_ANSWER, WorkflowQueryFailedError) as err:
            raise _unavailable(err) from err

    async def decide(
        self, *, project_id: str, request: DecisionRequest, update_id: str | None
    ) -> ProjectState:
        """Send a decision as the workflow's `decide` update; the state after it.

        An update that reaches a run just as it continues as new finds it closed (NOT_FOUND)
        although the project lives on: it was applied nowhere, and is sent again to the new
        run, at most `CONTINUED_RETRIES` times. Every attempt carries the same update id, so
        the workflow, which remembers the ids it applied across runs, applies it once.
        """
        handle = self.client.get_workflow_handle_for(ProjectLifecycle.run, workflow_id(project_id))
        update_id = update_id or f"decision-{uuid.uuid4().hex}"
        try:
            async with asyncio.timeout(self.timeout.total_seconds()):
                retries = 0
                while True:
                    try:
                        return await handle.execute_update(
                            ProjectLifecycle.decide, request, id=update_id, rpc_timeout=self.timeout
                        )
                    except RPCError as err:
                        if err.status is not RPCStatusCode.NOT_FOUND:
                            raise
                        # The run has closed (or never existed): its final state tells which.
                        state = await self.state(project_id)
                        if state.stage.is_end:
                            raise ProjectEnded(
                                f"项目已结束（{state.stage.label}），不再接受任何决定", []
                            ) from err
                        if retries == CONTINUED_RETRIES:
                            raise
                        retries += 1
                        await asyncio.sleep(CONTINUED_PAUSE)
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == "DecisionRefused":
                allowed = cause.details[0] if cause.details else []
                raise DecisionRefused(
                    cause.message, [str(a) for a in allowed] if isinstance(allowed, list) else []
                ) from err
            if isinstance(cause, ApplicationError) and cause.type == "DecisionInvalid":
                field = cause.details[0] if cause.details else "body"
                raise InvalidInput(cause.message, str(field)) from err
            message = cause.message if isinstance(cause, ApplicationError) else str(cause)
            raise DecisionRefused(f"流程未接受该决定：{message}", []) from err
        except _NO_ANSWER as err:
            raise _unavailable(err, RETRY_DECISION) from err

    async def submit_report(
        self, *, district: str, period: str, policy: Policy, actor: Actor, note: str | None
    ) -> DistrictReportState:
        """Submit a district's report: its process (opened now if the schedule has not) takes
        the `submit` update and answers once the figures are frozen."""
        report_id = report_workflow_id(district, period)
        try:
            async with asyncio.timeout(self.timeout.total_seconds()):
                with contextlib.suppress(WorkflowAlreadyStartedError):
                    await self.client.start_workflow(
                        DistrictReport.run,
                        DistrictReportInput(district=district, period=period, policy=policy),
                        id=report_id,
                        task_queue=self.task_queue,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    )
                handle = self.client.get_workflow_handle_for(DistrictReport.run, report_id)
                return await handle.execute_update(
                    DistrictReport.submit,
                    SubmitReport(actor=actor, note=note),
                    rpc_timeout=self.timeout,
                )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            message = cause.message if isinstance(cause, ApplicationError) else str(cause)
            raise Conflict(message, []) from err
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                # The process has ended: its report is in.
                raise Conflict(f"{district}{period}周期的报告已报送，不能重复报送", []) from err
            raise _unavailable(err) from err
        except _NO_ANSWER as err:
            raise _unavailable(err) from err

    async def healthy(self) -> bool:
        """Whether the Temporal frontend answers within the deadline."""
        try:
            async with asyncio.timeout(min(self.timeout.total_seconds(), 3.0)):
                await self.client.workflow_service.get_system_info(
                    GetSystemInfoRequest(), retry=False, timeout=self.timeout
                )
        except _NO_ANSWER:
            return False
        return True


def _unavailable(err: BaseException, hint: str = "") -> Unavailable:
    detail = f"（{type(err).__name__}）"
    message = f"{UNAVAILABLE}{detail}" + (f"：{hint}" if hint else "")
    return Unavailable(message, RETRY_AFTER_SECONDS)
