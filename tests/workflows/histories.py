"""Histories recorded from the scenario tests, replayed by test_replay against current code.

Set QIS_RECORD_HISTORIES=1 to (re)write the fixtures and commit them. A change to the workflow
that would break running processes then fails the replay test.
"""

import os
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory

from tests.helpers import settle

FIXTURES = Path(__file__).parent / "histories"


async def run_histories(
    client: Client, workflow_id: str, first_run_id: str
) -> list[WorkflowHistory]:
    """Every run of a process, first to last, following continue-as-new."""
    histories = []
    run_id: str | None = first_run_id
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        last = history.events[-1]
        run_id = None
        if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    return histories


async def record_history(client: Client, workflow_id: str, first_run_id: str, name: str) -> None:
    """Write the first and the last run of a scenario's process as replay fixtures."""
    if not os.environ.get("QIS_RECORD_HISTORIES"):
        return
    FIXTURES.mkdir(exist_ok=True)
    await settle(client, workflow_id)  # nothing may still be on its way into the last run
    runs = await run_histories(client, workflow_id, first_run_id)
    chosen = {0: runs[0], len(runs) - 1: runs[-1]}
    for index, history in chosen.items():
        path = FIXTURES / f"{name}.run{index + 1}.json"
        path.write_text(history.to_json(), encoding="utf-8")


async def record_report_history(client: Client, workflow_id: str, name: str) -> None:
    """Write a district report process's history as a replay fixture (histories/reports/)."""
    if not os.environ.get("QIS_RECORD_HISTORIES"):
        return
    folder = FIXTURES / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    (folder / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
