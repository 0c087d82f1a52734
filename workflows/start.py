"""Starting a project's process: the one place that knows the workflow's id and input."""

from datetime import UTC, date, datetime
from functools import lru_cache

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy

from domain.deadlines import CALENDAR_YEARS_AHEAD
from domain.durations import local_date
from domain.policy import Policy
from domain.project import ImportedNaming, ProjectSpec
from domain.state import ProjectState
from domain.workdays import CalendarAdditions, WorkCalendar, package_calendar
from workflows import TASK_QUEUE, workflow_id
from workflows.inputs import LifecycleInput
from workflows.lifecycle import ProjectLifecycle


async def start_project(
    client: Client,
    *,
    project_id: str,
    spec: ProjectSpec,
    policy: Policy,
    imported: ImportedNaming | None = None,
    task_queue: str = TASK_QUEUE,
) -> WorkflowHandle[ProjectLifecycle, ProjectState]:
    """Start the lifecycle of a registered (or imported) project."""
    return await client.start_workflow(
        ProjectLifecycle.run,
        LifecycleInput(
            project_id=project_id,
            spec=spec,
            policy=policy,
            imported=imported,
            calendar=work_calendar(policy, local_date(datetime.now(UTC))),
        ),
        id=workflow_id(project_id),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )


def work_calendar(policy: Policy, today: date) -> WorkCalendar:
    """The work calendar a new process starts with: this year and the next few, from the
    holiday package plus the policy's additions (docs/deadlines.md)."""
    return _calendar(today.year, policy.calendar.model_dump_json())


@lru_cache(maxsize=8)
def _calendar(year: int, additions: str) -> WorkCalendar:
    calendar = package_calendar(year, year + CALENDAR_YEARS_AHEAD)
    return calendar.with_additions(CalendarAdditions.model_validate_json(additions))
