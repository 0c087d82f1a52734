"""Periodic evaluations on durable timers: district, 3-year municipal, rectification, import."""

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.decisions import (
    ApplyMunicipal,
    EvaluateDistrict,
    EvaluateMunicipal,
    RecommendMunicipal,
    ReportRectification,
    ReviewMunicipal,
    ReviewRectification,
    Scores,
)
from domain.durations import add_duration, local_date, start_of_day
from domain.project import ImportedNaming
from domain.stages import Level, Stage
from domain.state import ProjectState, TaskKind
from tests.helpers import (
    DISTRICT_BUREAU,
    MUNICIPAL_BUREAU,
    SCORES,
    UNIT,
    Harness,
    eventually,
    legal_due,
    on,
)
from tests.workflows.test_naming import ALL_MET, name_district


async def wait_for_task(h: Harness, kind: TaskKind) -> ProjectState:
    return await eventually(h.state, lambda s: s.task(kind) is not None)


async def name_municipal(h: Harness) -> ProjectState:
    await name_district(h)
    await h.decide(UNIT, ApplyMunicipal(conditions=ALL_MET))
    await h.decide(DISTRICT_BUREAU, RecommendMunicipal(recommend=True))
    return await h.decide(MUNICIPAL_BUREAU, EvaluateMunicipal(passed=True, scores=Scores(**SCORES)))


async def until(env: WorkflowEnvironment, h: Harness, kind: TaskKind) -> ProjectState:
    """Skip time to the moment the task of `kind` is due to open, and wait for it."""
    state = await h.state()
    due = {
        TaskKind.DISTRICT_EVALUATION: state.next_district_evaluation_at,
        TaskKind.MUNICIPAL_REVIEW: state.next_municipal_review_at,
        TaskKind.RECTIFICATION_REVIEW: state.rectification_deadline,
    }[kind]
    assert due is not None
    await h.advance(env, due)
    return await wait_for_task(h, kind)


async def test_district_evaluation_kept_schedules_the_next_one(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    named = await name_district(h)
    assert named.district_named_on is not None
    first_due = start_of_day(named.district_named_on) + timedelta(0)
    assert named.next_district_evaluation_at == add_duration(first_due, "P1Y")
    state = await until(workflow_env, h, TaskKind.DISTRICT_EVALUATION)
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.opened_at == add_duration(first_due, "P1Y")
    state = await h.decide(
        DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), update_id="evaluation-1"
    )
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.next_district_evaluation_at == add_duration(first_due, "P2Y")
    # A completed cycle continues as new, carrying the whole state.
    carried = await eventually(h.state, lambda s: s.run == 2)
    assert carried.history == state.history
    assert carried.next_district_evaluation_at == state.next_district_evaluation_at
    # The same request retried after the continue-as-new is answered, not applied again.
    again = await h.decide(
        DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), update_id="evaluation-1"
    )
    assert again.history == carried.history


async def test_district_evaluation_failed_cancels_the_name(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    await name_district(h)
    await until(workflow_env, h, TaskKind.DISTRICT_EVALUATION)
    state = await h.decide(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False))
    assert state.stage is Stage.CANCELLED
    assert state.level is Level.NONE
    ending = state.names[0].ending
    assert ending is not None
    assert ending.kind == "cancelled"
    assert ending.reason == "经定期评估不再符合基本条件（第九条第二项）"
    assert (await h.handle.result()).stage is Stage.CANCELLED


async def test_three_year_evaluation_passed_next_due_three_years_after_the_first_due_date(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    named = await name_municipal(h)
    assert named.municipal_named_on is not None
    anchor = start_of_day(named.municipal_named_on)
    assert named.next_municipal_review_at == add_duration(anchor, "P3Y")
    state = await until(workflow_env, h, TaskKind.MUNICIPAL_REVIEW)
    # Decide late (20 days after the due date): the cadence does not move.
    await workflow_env.sleep(timedelta(days=20))
    state = await h.decide(MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=Scores(**SCORES)))
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.next_municipal_review_at == add_duration(anchor, "P6Y")


async def test_failed_review_rectification_passed_keeps_the_anchor(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    named = await name_municipal(h)
    assert named.municipal_named_on is not None
    anchor = start_of_day(named.municipal_named_on)
    await until(workflow_env, h, TaskKind.MUNICIPAL_REVIEW)
    state = await h.decide(MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=Scores(**SCORES)))
    assert state.stage is Stage.RECTIFICATION
    decided_at = state.history[-1].at
    assert state.rectification_deadline == legal_due(state, decided_at, "P6M")
    assert state.rectification_deadline_rule is not None
    # The review may come early once the unit has reported.
    state = await h.decide(UNIT, ReportRectification(report="已完成整改，服务流程已优化"))
    assert state.rectification_reported
    state = await h.decide(MUNICIPAL_BUREAU, ReviewRectification(passed=True))
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.level is Level.MUNICIPAL
    assert state.next_municipal_review_at == add_duration(anchor, "P6Y")


async def test_failed_rectification_returns_to_a_district_project(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    named = await name_municipal(h)
    assert named.district_named_on is not None
    await until(workflow_env, h, TaskKind.MUNICIPAL_REVIEW)
    await h.decide(MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=Scores(**SCORES)))
    # Nobody reports; at the deadline the review falls due for the municipal bureau.
    state = await until(workflow_env, h, TaskKind.RECTIFICATION_REVIEW)
    assert state.stage is Stage.RECTIFICATION
    state = await h.decide(MUNICIPAL_BUREAU, ReviewRectification(passed=False))
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    municipal = next(n for n in state.names if n.level is Level.MUNICIPAL)
    assert municipal.ending is not None
    assert municipal.ending.kind == "cancelled"
    assert state.active_name(Level.DISTRICT) is not None
    # District evaluations resume on the district naming anniversary.
    now = await workflow_env.get_current_time()
    nxt = state.next_district_evaluation_at
    assert nxt is not None
    assert now < nxt <= add_duration(now, "P1Y")
    named_on = named.district_named_on
    assert local_date(nxt).replace(year=named_on.year) == named_on
    state = await until(workflow_env, h, TaskKind.DISTRICT_EVALUATION)
    assert state.task(TaskKind.DISTRICT_EVALUATION) is not None


async def test_imported_municipal_project_gets_its_review_on_the_anchor(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    now = await workflow_env.get_current_time()
    named_on = local_date(now).replace(year=local_date(now).year - 4)
    await h.start(
        imported=ImportedNaming(
            district_named_on=named_on.replace(year=named_on.year - 1),
            municipal_named_on=named_on,
            # Evaluated when it fell due (else its review would open at once: imports behind).
            municipal_last_evaluated_on=named_on.replace(year=named_on.year + 3),
        )
    )
    state = await h.state()
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert [n.granted_on for n in state.names] == [
        named_on.replace(year=named_on.year - 1),
        named_on,
    ]
    # Named four years ago: the 3-year review fell due last year; the next is at six years.
    assert state.next_municipal_review_at == add_duration(start_of_day(named_on), "P6Y")
    assert state.next_district_evaluation_at is None


async def test_imported_district_project_gets_its_evaluation_on_the_anniversary(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    now = await workflow_env.get_current_time()
    await h.start(
        imported=ImportedNaming(
            district_named_on=on("2024-02-29"), district_last_evaluated_on=local_date(now)
        )
    )
    state = await h.state()
    assert state.stage is Stage.DISTRICT_NAMED
    nxt = state.next_district_evaluation_at
    assert nxt is not None
    now = await workflow_env.get_current_time()
    assert now < nxt <= add_duration(now, "P1Y")
    assert (local_date(nxt).month, local_date(nxt).day) in ((2, 28), (2, 29))
