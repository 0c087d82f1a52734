"""Legal deadlines in the process (rules 3, docs/deadlines.md), on the time-skipping server.

A decision's due date ends at 24:00 Shanghai of its last day, moved over statutory holidays and
rest days on the process's work calendar; a make-up working day counts as working. The server's
clock is wherever earlier tests left it (years ahead, in years no holiday data covers), so each
test writes its holidays into the policy (as a bureau would for a year the package lacks) and
makes its task open at a fixed instant: the first district evaluation of an import, due at
Shanghai midnight of a chosen day.
"""

import uuid
from datetime import date, timedelta

from temporalio.testing import WorkflowEnvironment

from api.services.views import project_read
from domain.durations import local_date, start_of_day
from domain.policy import Policy
from domain.project import ImportedNaming
from domain.state import RULES, ProjectState, TaskKind
from domain.workdays import CalendarAdditions
from tests.helpers import DISTRICT_BUREAU, Harness, eventually, make_spec
from workflows import workflow_id
from workflows.inputs import LifecycleInput
from workflows.lifecycle import ProjectLifecycle

MONDAY, SATURDAY = 0, 5


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def evaluation_day(env: WorkflowEnvironment) -> date:
    """A day ten days ahead (not 29 February) on which an import's first evaluation falls due."""
    day = local_date(await env.get_current_time()) + timedelta(days=10)
    return day + timedelta(days=1) if (day.month, day.day) == (2, 29) else day


async def open_evaluation(
    env: WorkflowEnvironment, h: Harness, due_on: date, policy: Policy
) -> ProjectState:
    """An import named a year before `due_on`, moved on until its evaluation task is open."""
    named_on = due_on.replace(year=due_on.year - 1)
    await h.start(policy=policy, imported=ImportedNaming(district_named_on=named_on))
    state = await h.advance(env, start_of_day(due_on) + timedelta(hours=1))
    assert state.task(TaskKind.DISTRICT_EVALUATION) is not None
    return state


async def test_a_due_date_on_the_spring_festival_moves_to_the_first_working_day_after(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    opens = await evaluation_day(workflow_env)
    festival = next_weekday(opens + timedelta(days=20), MONDAY)  # Monday to Wednesday off
    policy = Policy(
        decision_due=f"P{(festival - opens).days}D",
        calendar=CalendarAdditions(
            holidays={festival + timedelta(days=n): "春节" for n in range(3)},
            covered_years=(festival.year,),
        ),
    )
    state = await open_evaluation(workflow_env, h, opens, policy)
    assert state.rules == RULES  # legal deadlines (3) and all later rules
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.opened_at == start_of_day(opens)
    thursday = festival + timedelta(days=3)
    # 24:00 of Thursday, the first working day after the break: 00:00 of Friday.
    assert task.due_at == start_of_day(thursday + timedelta(days=1))
    assert task.due_rule == "法定节假日顺延（春节）"
    # The notice gives the last day; the project's view says which rule set it.
    [due] = [e for e in state.history if e.event == "due:district_evaluation"]
    view = project_read(state, DISTRICT_BUREAU)
    [pending] = view.pending_decisions
    assert (pending.due_on, pending.due_rule) == (thursday, "法定节假日顺延（春节）")
    # Escalation waits for the end of the moved last day, not the nominal one.
    state = await h.advance(workflow_env, start_of_day(thursday) + timedelta(hours=12))
    assert not [e for e in state.history if e.event.startswith("escalation")]
    state = await h.advance(workflow_env, task.due_at + timedelta(minutes=1))
    escalations = [e.at for e in state.history if e.event == "escalation:district_evaluation"]
    assert escalations == [task.due_at]
    assert due.seq < state.history[-1].seq


async def test_a_due_date_on_a_make_up_saturday_does_not_move(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    opens = await evaluation_day(workflow_env)
    saturday = next_weekday(opens + timedelta(days=20), SATURDAY)
    policy = Policy(
        decision_due=f"P{(saturday - opens).days}D",
        calendar=CalendarAdditions(working_days=(saturday,), covered_years=(saturday.year,)),
    )
    state = await open_evaluation(workflow_env, h, opens, policy)
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.due_at == start_of_day(saturday + timedelta(days=1))
    assert task.due_rule == "按期届满"


async def test_an_ordinary_weekend_moves_the_due_date_to_monday(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    opens = await evaluation_day(workflow_env)
    saturday = next_weekday(opens + timedelta(days=20), SATURDAY)
    policy = Policy(
        decision_due=f"P{(saturday - opens).days}D",
        calendar=CalendarAdditions(covered_years=(saturday.year,)),
    )
    state = await open_evaluation(workflow_env, h, opens, policy)
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.due_at == start_of_day(saturday + timedelta(days=3))  # 24:00 Monday
    assert task.due_rule == "周末顺延"


async def test_a_process_started_without_a_calendar_loads_one_before_it_waits(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    # A start that carries no calendar (a client of the first releases' input) is given one by
    # the workflow's local activity, with the policy's additions in it.
    extra = local_date(await workflow_env.get_current_time()) + timedelta(days=400)
    policy = Policy(calendar=CalendarAdditions(holidays={extra: "国庆节"}))
    h.project_id = uuid.uuid4().hex[:12]
    h.handle = await h.client.start_workflow(
        ProjectLifecycle.run,
        LifecycleInput(project_id=h.project_id, spec=make_spec(), policy=policy),
        id=workflow_id(h.project_id),
        task_queue=h.task_queue,
    )
    state = await eventually(h.state, lambda s: s.calendar is not None)
    assert state.calendar is not None
    assert state.calendar.holiday(extra) == "国庆节"
    assert state.calendar_checked_on == local_date(await workflow_env.get_current_time())
