"""A new project's first step is computed once, by its starter (workflows.start.first_step): the
API answers with it and writes its read-model row, and the process takes it as its own. A step
computed on a clock far from the server's is not taken: the process computes its own."""

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.durations import local_date
from domain.project import ImportedNaming
from domain.state import TaskKind
from tests.helpers import Harness, make_spec
from workflows.start import first_step, start_project


async def test_the_process_starts_from_the_step_its_starter_computed(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    now = await workflow_env.get_current_time()
    # An import behind: its district evaluation opens in the first step, with a due date.
    imported = ImportedNaming(district_named_on=local_date(now) - timedelta(days=800))
    h.project_id = "firststep001"
    first = first_step(h.project_id, make_spec(), h.policy, imported, now - timedelta(seconds=3))
    h.handle = await start_project(h.client, first, imported=imported, task_queue=h.task_queue)
    state = await h.state()
    assert state.registered_at == first.state.registered_at
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task == first.state.task(TaskKind.DISTRICT_EVALUATION)
    assert [e.event for e in state.history] == ["import", "due:district_evaluation"]


async def test_a_step_computed_on_a_distant_clock_is_recomputed_by_the_process(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    now = await workflow_env.get_current_time()
    h.project_id = "firststep002"
    stale = first_step(h.project_id, make_spec(), h.policy, None, now - timedelta(days=1))
    h.handle = await start_project(h.client, stale, task_queue=h.task_queue)
    state = await h.state()
    assert state.registered_at != stale.state.registered_at
    assert state.registered_at >= now
    assert [e.event for e in state.history] == ["register"]
