"""Thirty simulated years of yearly reviews: each run's history stays small, nothing is lost."""

from collections.abc import Callable

from temporalio.testing import WorkflowEnvironment

from domain.decisions import ReportRectification, ReviewMunicipal, ReviewRectification, Scores
from domain.policy import Policy
from domain.stages import Stage
from domain.state import ProjectState, TaskKind
from tests.helpers import MUNICIPAL_BUREAU, SCORES, UNIT, Harness, eventually
from tests.workflows.histories import run_histories
from tests.workflows.test_evaluations import name_municipal, until

YEARS = 30
# Every run of this process: well below Temporal's 10,240-event history limit.
RUN_HISTORY_BOUND = 400
# ... and in bytes well below its size limits (warning at 10 MB), as is the carried state.
RUN_BYTES_BOUND = 1_000_000
STATE_BYTES_BOUND = 200_000


def run_after(run: int) -> Callable[[ProjectState], bool]:
    return lambda s: s.run == run + 1


async def test_thirty_years_of_yearly_reviews_keep_every_run_small(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    h.policy = Policy(municipal_review_interval="P1Y")
    named = await name_municipal(h)
    anchor = named.next_municipal_review_at
    previous = named
    for year in range(1, YEARS + 1):
        state = await until(workflow_env, h, TaskKind.MUNICIPAL_REVIEW)
        passed = year % 2 == 0
        state = await h.decide(
            MUNICIPAL_BUREAU, ReviewMunicipal(passed=passed, scores=Scores(**SCORES))
        )
        if not passed:
            assert state.stage is Stage.RECTIFICATION
            await h.decide(UNIT, ReportRectification(report=f"第{year}年整改报告"))
            state = await h.decide(MUNICIPAL_BUREAU, ReviewRectification(passed=True))
        assert state.stage is Stage.MUNICIPAL_NAMED
        # Continued as new after the cycle, carrying everything it had.
        carried = await eventually(h.state, run_after(state.run))
        assert carried.history == state.history
        assert carried.names == state.names
        assert carried.history[: len(previous.history)] == previous.history
        previous = carried
    assert anchor is not None
    assert previous.next_municipal_review_at is not None
    assert previous.next_municipal_review_at.year == anchor.year + YEARS
    assert len(previous.names) == 2
    assert all(n.ending is None for n in previous.names)
    first_run = h.handle.first_execution_run_id
    assert first_run is not None
    runs = await run_histories(h.client, h.handle.id, first_run)
    assert len(runs) == YEARS + 1
    assert max(len(r.events) for r in runs) < RUN_HISTORY_BOUND
    assert max(sum(e.ByteSize() for e in r.events) for r in runs) < RUN_BYTES_BOUND
    assert len(previous.model_dump_json()) < STATE_BYTES_BOUND
