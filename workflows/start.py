"""Starting a project's process: the one place that knows the workflow's id and input, and
that computes a new project's first step."""

from datetime import date, datetime
from functools import lru_cache

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy

from domain.deadlines import CALENDAR_YEARS_AHEAD
from domain.durations import local_date
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.project import ImportedNaming, ProjectSpec
from domain.state import ProjectState
from domain.workdays import CalendarAdditions, WorkCalendar, package_calendar
from workflows import TASK_QUEUE, search_attributes, workflow_id
from workflows.inputs import FirstStep, LifecycleInput
from workflows.lifecycle import ProjectLifecycle


def first_step(
    project_id: str,
    spec: ProjectSpec,
    policy: Policy,
    imported: ImportedNaming | None,
    now: datetime,
) -> FirstStep:
    """A new project's first step (its state and effects), the one computation of it: the API
    writes its read-model row and answers with it, and the process starts from it."""
    calendar = work_calendar(policy, local_date(now))
    state, effects = new_state(project_id, spec, policy, now, imported, calendar=calendar)
    return FirstStep(state=state, effects=effects)


async def start_project(
    client: Client,
    first: FirstStep,
    *,
    imported: ImportedNaming | None = None,
    task_queue: str = TASK_QUEUE,
) -> WorkflowHandle[ProjectLifecycle, ProjectState]:
    """Start the lifecycle of a registered (or imported) project from its first step (the
    import's dates ride along for a process that computes its own first step)."""
    state = first.state
    return await client.start_workflow(
        ProjectLifecycle.run,
        LifecycleInput(
            project_id=state.project_id,
            spec=state.spec,
            policy=state.policy,
            imported=imported,
            calendar=state.calendar,
            first=first,
        ),
        id=workflow_id(state.project_id),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=search_attributes.at_start(state),
    )


def work_calendar(policy: Policy, today: date) -> WorkCalendar:
    """The work calendar a new process starts with: this year and the next few, from the
    holiday package plus the policy's additions (docs/deadlines.md)."""
    return _calendar(today.year, policy.calendar.model_dump_json())


@lru_cache(maxsize=8)
def _calendar(year: int, additions: str) -> WorkCalendar:
    calendar = package_calendar(year, year + CALENDAR_YEARS_AHEAD)
    return calendar.with_additions(CalendarAdditions.model_validate_json(additions))
