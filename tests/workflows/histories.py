"""Histories recorded from the scenario tests, replayed by test_replay against current code.

Set QIS_RECORD_HISTORIES=1 to (re)write the fixtures; commit them. A change that would break
running processes then fails the replay test.
"""

import os
from pathlib import Path

from tests.helpers import Harness

FIXTURES = Path(__file__).parent / "histories"


async def record_history(harness: Harness, name: str) -> None:
    if not os.environ.get("QIS_RECORD_HISTORIES"):
        return
    FIXTURES.mkdir(exist_ok=True)
    first = harness.client.get_workflow_handle(
        harness.handle.id, run_id=harness.handle.first_execution_run_id
    )
    history = await first.fetch_history()
    (FIXTURES / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
