"""Thirty simulated years of yearly reviews: each run's history stays small, nothing is lost."""

from collections.abc import Callable

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from domain.decisions import ReportRectification, ReviewMunicipal, ReviewRectification, Scores
from domain.policy import Policy
from domain.stages import Stage
from domain.state import ProjectState, TaskKind
from tests.helpers import MUNICIPAL_BUREAU, SCORES, UNIT, Harness, eventually
from tests.workflows.test_evaluations import name_municipal, until

YEARS = 30
# Every run of this process: well below Temporal's 10,240-event history limit.
RUN_HISTORY_BOUND = 400


def run_after(run: int) -> Callable[[ProjectState], bool]:
    return lambda s: s.run == run + 1


async def run_histories(h: Harness) -> list[int]:
    """Event counts of every run of the process, first to last."""
    counts = []
    run_id: str | None = h.handle.first_execution_run_id
    while run_id:
        history = await h.client.get_workflow_handle(h.handle.id, run_id=run_id).fetch_history()
        counts.append(len(history.events))
        last = history.events[-1]
        run_id = None
        if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    return counts


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
    counts = await run_histories(h)
    assert len(counts) == YEARS + 1
    assert max(counts) < RUN_HISTORY_BOUND
