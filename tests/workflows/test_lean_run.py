"""Runs since release 6 (`lean-run`, workflows.lifecycle): one patch marker as a run begins, the
search attributes set by the start and upserted only where the state changed them.

Before, every new run recorded five patch markers, each with a TemporalChangeVersion upsert,
and upserted all seven search attributes at every step (docs/performance.md). What ops filter
by in the UI must stay exactly as current as it was: these tests read it back from Temporal.
"""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Worker

from activities.calendar import load_work_calendar
from activities.store import StoreActivities
from domain.decisions import DecideAcceptance, RequestAcceptance
from domain.policy import Policy
from domain.state import ProjectState
from tests.helpers import DISTRICT_BUREAU, UNIT, Harness, make_spec
from tests.workflows.releases import ReleaseFiveLifecycle
from tests.workflows.test_step import patch_markers
from worker.main import STRICT_SANDBOX, build_worker
from workflows import search_attributes as sa
from workflows import workflow_id
from workflows.inputs import LifecycleInput
from workflows.lifecycle import LEAN_RUN, ProjectLifecycle


async def attributes(client: Client, project_workflow: str) -> dict[str, Any]:
    """The QIS search attributes Temporal holds for the process, by name."""
    described = await client.get_workflow_handle(project_workflow).describe()
    return {
        pair.key.name: pair.value
        for pair in described.typed_search_attributes
        if pair.key.name.startswith("Qis")
    }


def expected(state: ProjectState) -> dict[str, Any]:
    """What the UI should show for the state: every attribute that has a value."""
    return {key.name: value for key, value in sa.values(state) if value is not None}


def upserted(history: WorkflowHistory) -> list[set[str]]:
    """The QIS attributes each upsert of the history set or unset, in order (the upserts that
    record a patch's TemporalChangeVersion alone are left out)."""
    found = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            continue
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        names = {name for name in fields.indexed_fields if name.startswith("Qis")}
        if names:
            found.append(names)
    return found


async def test_a_new_run_starts_with_its_attributes_and_upserts_only_what_a_step_changes(
    h: Harness, client: Client
) -> None:
    await h.start()
    registered = await h.state()
    history = await h.settle()
    markers = patch_markers(history)
    assert len(markers) == 1
    assert LEAN_RUN in markers[0]
    assert upserted(history) == []  # the start set them all
    assert registered.next_deadline is None
    assert await attributes(client, h.handle.id) == expected(registered)
    assert (await attributes(client, h.handle.id))["QisStage"] == "building"

    requested = await h.decide(UNIT, RequestAcceptance())
    await h.state()
    assert upserted(await h.settle()) == [{"QisStage", "QisNextDeadline"}]
    assert await attributes(client, h.handle.id) == expected(requested)

    named = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
    await h.state()
    assert await attributes(client, h.handle.id) == expected(named)
    assert (await attributes(client, h.handle.id))["QisProjectName"] == named.display_name
    assert len(patch_markers(await h.settle())) == 1


async def test_a_process_started_without_attributes_gets_them_all_from_its_first_step(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # An older starter: the input alone, no search attributes.
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    project_id = uuid.uuid4().hex[:12]
    async with build_worker(
        client, session_factory, task_queue=task_queue, workflow_runner=STRICT_SANDBOX
    ):
        handle = await client.start_workflow(
            ProjectLifecycle.run,
            LifecycleInput(project_id=project_id, spec=make_spec(), policy=Policy()),
            id=workflow_id(project_id),
            task_queue=task_queue,
        )
        h = Harness(client, task_queue)
        h.handle = handle
        state = await h.state()
        assert upserted(await h.settle()) == [set(expected(state))]
        assert await attributes(client, handle.id) == expected(state)
        await handle.terminate("test finished")


async def test_a_release_five_process_keeps_its_markers_and_attributes_on_the_new_worker(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    h = Harness(client, task_queue)
    # No workflow cache (so no sticky queue): the next worker replays the process from history.
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ReleaseFiveLifecycle],
        activities=[*StoreActivities(session_factory).all(), load_work_calendar],
        max_cached_workflows=0,
    ):
        await h.start()
        registered = await h.state()
    history = await h.settle()
    assert len(patch_markers(history)) == 5
    assert not any(LEAN_RUN in m for m in patch_markers(history))
    assert upserted(history) == [set(expected(registered)) | {"QisNextDeadline"}]

    async with build_worker(
        client, session_factory, task_queue=task_queue, workflow_runner=STRICT_SANDBOX
    ):
        requested = await h.decide(UNIT, RequestAcceptance())
        await h.state()
        history = await h.settle()
        # Replayed on its release's path: no new marker, every attribute upserted again.
        assert len(patch_markers(history)) == 5
        assert upserted(history)[-1] == set(expected(requested))
        assert await attributes(client, h.handle.id) == expected(requested)
        await h.handle.terminate("test finished")
