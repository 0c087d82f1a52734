"""Recorded histories replay without non-determinism against the current workflow code."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.lifecycle import ProjectLifecycle

FIXTURES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_there_are_recorded_histories_of_every_scenario_file() -> None:
    scenarios = {p.name.split(".")[0] for p in FIXTURES}
    assert len(FIXTURES) >= 20
    assert any("thirty_years" in s for s in scenarios)
    assert any("rectification" in s for s in scenarios)
    assert any("revok" in s for s in scenarios)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[ProjectLifecycle], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
