"""Shared test helpers: sample projects, actors, a worker on a fresh task queue, polling."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.actors import Actor, Role
from domain.decisions import Decision, DecisionRequest
from domain.policy import Policy
from domain.project import ImportedNaming, ProjectSpec
from domain.state import ProjectState
from domain.timers import next_wakeup
from qis.projects import start_project
from worker.main import build_worker
from workflows.lifecycle import ProjectLifecycle

T = TypeVar("T")

# After one of these, a workflow task is running or about to be scheduled.
BUSY_EVENTS = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_TIMER_FIRED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
    }
)

CREDIT_CODE = "91350100M000100Y43"
DISTRICT = "310115"

UNIT = Actor(role=Role.UNIT, credit_code=CREDIT_CODE, label="张三")
OPERATOR = Actor(role=Role.OPERATOR, label="运营")
DISTRICT_BUREAU = Actor(role=Role.DISTRICT_BUREAU, district=DISTRICT, label="浦东新区市场监管局")
OTHER_DISTRICT_BUREAU = Actor(
    role=Role.DISTRICT_BUREAU, district="310104", label="徐汇区市场监管局"
)
MUNICIPAL_BUREAU = Actor(role=Role.MUNICIPAL_BUREAU, label="市市场监管局")


def make_spec(focus: str = "生物医药", district: str = DISTRICT) -> ProjectSpec:
    return ProjectSpec.model_validate(
        {
            "unit": {
                "name": "上海示例检测技术有限公司",
                "credit_code": CREDIT_CODE,
                "contact": {"person": "张三", "phone": "021-00000000", "email": "qis@example.cn"},
            },
            "district": district,
            "type": "industry",
            "focus": focus,
            "service_items": [{"element": "metrology", "title": "计量校准服务"}],
            "basic_conditions": {
                "plan_fit": True,
                "five_element_capability": True,
                "systems_and_resources": True,
            },
        }
    )


class Harness:
    """A project's workflow on a fresh task queue, with shortcuts for decisions and queries."""

    def __init__(self, client: Client, task_queue: str) -> None:
        self.client = client
        self.task_queue = task_queue
        self.handle: WorkflowHandle[ProjectLifecycle, ProjectState]
        self.policy = Policy()

    async def start(
        self,
        *,
        policy: Policy | None = None,
        imported: ImportedNaming | None = None,
        spec: ProjectSpec | None = None,
    ) -> WorkflowHandle[ProjectLifecycle, ProjectState]:
        self.project_id = uuid.uuid4().hex[:12]
        self.handle = await start_project(
            self.client,
            project_id=self.project_id,
            spec=spec or make_spec(),
            policy=policy or self.policy,
            imported=imported,
            task_queue=self.task_queue,
        )
        return self.handle

    async def decide(
        self, actor: Actor, decision: Decision, update_id: str | None = None
    ) -> ProjectState:
        return await self.handle.execute_update(
            ProjectLifecycle.decide, DecisionRequest(actor=actor, decision=decision), id=update_id
        )

    async def state(self) -> ProjectState:
        """The process's state once it is idle (a query between two runs can go astray)."""
        await eventually(self.idle, bool)
        return await self.client.get_workflow_handle_for(
            ProjectLifecycle.run, self.handle.id
        ).query(ProjectLifecycle.state)

    async def idle(self) -> bool:
        """Whether the process waits for time or a decision, with no task running or due."""
        description = await self.client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=self.client.namespace,
                execution=WorkflowExecution(workflow_id=self.handle.id),
            )
        )
        status = description.workflow_execution_info.status
        if status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
            return False  # describing right after a continue-as-new may show the closed run
        if description.pending_activities:
            return False
        history = await self.client.get_workflow_handle(self.handle.id).fetch_history()
        return history.events[-1].event_type not in BUSY_EVENTS

    async def advance(self, env: WorkflowEnvironment, to: datetime) -> ProjectState:
        """Move the test server's clock to `to`, stopping at each of the process's wake-ups.

        Each stop lets the process finish its work before time moves on, as it would in
        real time; one long skip across several timers would race the activities.
        """
        while True:
            await eventually(self.idle, bool)
            state = await self.state()
            now = await env.get_current_time()
            wake = next_wakeup(state)
            target = min(wake, to) if wake else to
            if target > now:
                await env.sleep(target - now + timedelta(milliseconds=1))
            elif target == to:
                return state
            if target == to:
                await eventually(self.idle, bool)
                return await self.state()

    async def history_length(self) -> int:
        """Events in the current run's history."""
        return len((await self.handle.fetch_history()).events)


@asynccontextmanager
async def running_worker(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    harness = Harness(client, task_queue)
    async with build_worker(client, session_factory, task_queue=task_queue):
        yield harness
        if hasattr(harness, "handle"):
            # The time-skipping server shares one clock across tests, and a process left
            # running (or an activity left in flight) would hold up every later skip of time.
            await eventually(harness.idle, bool)
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(harness.handle.id).terminate("test finished")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    check: Callable[[T], bool],
    *,
    within: float = 15.0,
    interval: float = 0.05,
) -> T:
    """Poll `probe` until `check` holds; fails with the last value after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await probe()
        if check(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within}s; last value: {value!r}")
        await asyncio.sleep(interval)


def on(day: str) -> date:
    return date.fromisoformat(day)


SCORES = {"operation": 85, "capability": 80, "effectiveness": 90}
