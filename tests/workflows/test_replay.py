"""Recorded histories replay without non-determinism against the current workflow code.

`histories/release1/` holds what the first release recorded (one activity per effect, before
the `one-transaction-step` patch); `histories/release5/` what releases 2 to 5 recorded (a patch
marker for each of their patches, before `lean-run`); `histories/` what the current release
records. All must replay: processes of every kind are running somewhere. `histories/reports/` holds district
report processes, from before the `report-opens-at-period-end` patch and after it.
"""

import ast
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.district_report import DistrictReport
from workflows.lifecycle import ProjectLifecycle

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "histories").glob("*.json"))
RELEASE_ONE = sorted((HERE / "histories" / "release1").glob("*.json"))
RELEASE_FIVE = sorted((HERE / "histories" / "release5").glob("*.json"))
# District report processes: one recorded before the inbox entry and the period-end wait, one now.
REPORTS = sorted((HERE / "histories" / "reports").glob("*.json"))


def recording_scenarios() -> list[str]:
    """Every test here that records its history: it takes the conftest's `h` harness (and its
    module does not define an `h` of its own)."""
    names = []
    for path in sorted(HERE.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in tree.body if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef)]
        if any(f.name == "h" for f in functions):
            continue
        names += [
            f.name
            for f in functions
            if f.name.startswith("test_") and any(a.arg == "h" for a in f.args.args)
        ]
    return names


def test_every_recording_scenario_has_its_replay_fixture() -> None:
    scenarios = recording_scenarios()
    assert "test_thirty_years_of_yearly_reviews_keep_every_run_small" in scenarios
    recorded = {p.name for p in FIXTURES}
    missing = [s for s in scenarios if f"{s}.run1.json" not in recorded]
    assert missing == [], "record them with QIS_RECORD_HISTORIES=1"
    # A process that continued as new has its last run recorded beside its first.
    assert "test_thirty_years_of_yearly_reviews_keep_every_run_small.run31.json" in recorded


def test_the_first_release_histories_are_kept() -> None:
    # Processes started on release 1 run for years: their histories never leave the suite.
    assert len(RELEASE_ONE) == 26


def test_the_histories_before_lean_runs_are_kept() -> None:
    # Likewise the runs started on releases 2 to 5, with their five patch markers.
    assert len(RELEASE_FIVE) == 44


@pytest.mark.parametrize(
    "path",
    FIXTURES + RELEASE_ONE + RELEASE_FIVE,
    ids=[p.name for p in FIXTURES]
    + [f"release1/{p.name}" for p in RELEASE_ONE]
    + [f"release5/{p.name}" for p in RELEASE_FIVE],
)
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[ProjectLifecycle], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


def test_both_report_histories_are_kept() -> None:
    assert [p.name for p in REPORTS] == [
        "before_the_inbox.reminded_escalated_submitted.json",
        "reminded_escalated_submitted.json",
    ]


@pytest.mark.parametrize("path", REPORTS, ids=[p.name for p in REPORTS])
async def test_report_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[DistrictReport], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
