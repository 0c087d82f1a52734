"""Starting a project's process: the one place that knows the workflow's id and input."""

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy

from domain.policy import Policy
from domain.project import ImportedNaming, ProjectSpec
from domain.state import ProjectState
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
        LifecycleInput(project_id=project_id, spec=spec, policy=policy, imported=imported),
        id=workflow_id(project_id),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
