"""What falls due with time: evaluations, rectification deadlines, reminders, escalations.

`next_wakeup` says when the workflow must wake next; `advance_time` applies everything due by
`now`. Each event fires once: its trigger is cleared or flagged when it fires.
"""

from datetime import datetime, timedelta

from domain.actors import Role
from domain.effects import Effect
from domain.lifecycle import Step
from domain.periods import period_containing
from domain.stages import DISTRICT_LEVEL_STAGES, Stage
from domain.state import ProjectState, Task, TaskKind

# Where an overdue decision is escalated. The municipal bureau has no supervising bureau in
# this system, so its overdue decisions go to its own supervision office (the same inbox).
SUPERVISOR: dict[Role, Role] = {
    Role.UNIT: Role.DISTRICT_BUREAU,  # a unit's late data (Art. 9.1: the district collects it)
    Role.DISTRICT_BUREAU: Role.MUNICIPAL_BUREAU,
    Role.MUNICIPAL_BUREAU: Role.MUNICIPAL_BUREAU,
}


def _due_evaluation(state: ProjectState) -> tuple[TaskKind, datetime] | None:
    """The evaluation or review whose date has come but whose task is not open yet, if any."""
    if (
        state.stage in DISTRICT_LEVEL_STAGES
        and state.next_district_evaluation_at
        and not state.task(TaskKind.DISTRICT_EVALUATION)
    ):
        return TaskKind.DISTRICT_EVALUATION, state.next_district_evaluation_at
    if (
        state.stage is Stage.MUNICIPAL_NAMED
        and state.next_municipal_review_at
        and not state.task(TaskKind.MUNICIPAL_REVIEW)
    ):
        return TaskKind.MUNICIPAL_REVIEW, state.next_municipal_review_at
    if (
        state.stage is Stage.RECTIFICATION
        and state.rectification_deadline
        and not state.task(TaskKind.RECTIFICATION_REVIEW)
    ):
        return TaskKind.RECTIFICATION_REVIEW, state.rectification_deadline
    return None


def next_wakeup(state: ProjectState) -> datetime | None:
    """The earliest moment at which `advance_time` has something to do."""
    if state.stage.is_end:
        return None
    moments: list[datetime] = []
    due = _due_evaluation(state)
    if due:
        moments.append(due[1])
    if state.stage is Stage.RECTIFICATION:
        moments += state.rectification_reminders[:1]
    if state.rules >= 4 and state.next_data_period_end is not None:
        moments.append(state.next_data_period_end)
    for task in state.tasks:
        if task.reminder_at and not task.reminded:
            moments.append(task.reminder_at)
        if not task.escalated:
            moments.append(task.due_at)
    return min(moments, default=None)


def advance_time(state: ProjectState, now: datetime) -> list[Effect]:
    """Fire everything due by `now`, oldest first; returns the effects to run."""
    effects: list[Effect] = []
    while (moment := next_wakeup(state)) is not None and moment <= now:
        effects += _fire(state, moment)
    return effects


def _fire(state: ProjectState, moment: datetime) -> list[Effect]:
    step = Step(state, moment)
    due = _due_evaluation(state)
    if due and due[1] == moment:
        kind, at = due
        if kind is TaskKind.DISTRICT_EVALUATION:
            state.next_district_evaluation_at = None
        elif kind is TaskKind.MUNICIPAL_REVIEW:
            state.next_municipal_review_at = None
        task = step.open_task(kind, at)
        step.notify(
            "task",
            [step.role(task.role)],
            f"{kind.label}到期",
            f"{kind.label}已到期，请于{step.day(task.due_at, task.due_rule)}前作出决定。",
        )
        step.history(f"due:{kind.value}", f"{kind.label}到期，待{task.role.label}决定")
        return step.effects
    if state.stage is Stage.RECTIFICATION and state.rectification_reminders[:1] == [moment]:
        state.rectification_reminders.pop(0)
        assert state.rectification_deadline is not None
        deadline = step.day(state.rectification_deadline, state.rectification_deadline_rule)
        step.notify(
            "reminder",
            [step.unit(), step.municipal()],
            "整改期即将届满",
            f"整改期将于{deadline}届满，"
            + (
                "已收到整改报告，待市市场监管局复评。"
                if state.rectification_reported
                else "请及时提交整改报告。"
            ),
        )
        step.history("reminder:rectification", f"提醒：整改期将于{deadline}届满")
        return step.effects
    if state.rules >= 4 and state.next_data_period_end == moment:
        return _open_data_period(step, moment)
    task = _task_at(state, moment)
    due_on = step.day(task.due_at, task.due_rule)
    if task.period is not None:
        return _data_reminder(step, task, moment, due_on)
    if task.reminder_at == moment and not task.reminded:
        task.reminded = True
        step.notify(
            f"reminder:{task.kind.value}",
            [step.role(task.role)],
            f"{task.kind.label}即将到期",
            f"请于{due_on}前作出决定。",
        )
        step.history(f"reminder:{task.kind.value}", f"提醒：{task.kind.label}将于{due_on}到期")
    else:
        task.escalated = True
        supervisor = SUPERVISOR[task.role]
        step.notify(
            f"escalation:{task.kind.value}",
            [step.role(supervisor)],
            f"督办：{task.kind.label}已逾期",
            f"{task.role.label}应于{due_on}前作出的决定已逾期，请督办。流程继续等待决定。",
        )
        step.history(
            f"escalation:{task.kind.value}", f"督办：{task.kind.label}已逾期，报{supervisor.label}"
        )
    return step.effects


def _open_data_period(step: Step, moment: datetime) -> list[Effect]:
    """Rules 4 (Art. 9.1): a data period ended: the unit owes its figures for it."""
    state = step.state
    length = state.policy.data_period
    period = period_containing(moment - timedelta(microseconds=1), length)
    state.next_data_period_end = period_containing(moment, length).end
    task = step.open_data_task(period)
    due_on = step.day(task.due_at, task.due_rule)
    step.notify(
        "task",
        [step.unit()],
        f"请报送{period.label}周期成效数据",
        f"请于{due_on}前报送{period.label}周期的服务中小企业数、各要素服务次数和成效说明（第九条第一项）。",
    )
    step.history(
        f"due:{TaskKind.DATA_SUBMISSION.value}",
        f"{period.label}周期结束，待实施单位于{due_on}前报送成效数据",
    )
    return step.effects


def _data_reminder(step: Step, task: Task, moment: datetime, due_on: str) -> list[Effect]:
    """A data task's reminder to the unit, or its escalation to the district bureau."""
    kind = task.kind.value
    if task.reminder_at == moment and not task.reminded:
        task.reminded = True
        step.notify(
            f"reminder:{kind}:{task.period}",
            [step.unit()],
            f"{task.period}周期成效数据即将到期",
            f"请于{due_on}前报送{task.period}周期成效数据。",
        )
        step.history(f"reminder:{kind}", f"提醒：{task.period}周期成效数据应于{due_on}前报送")
        return step.effects
    task.escalated = True
    step.notify(
        f"escalation:{kind}:{task.period}",
        [step.district()],
        f"督办：{task.period}周期成效数据逾期未报",
        f"实施单位应于{due_on}前报送{task.period}周期成效数据，已逾期，请督办。",
    )
    step.history(
        f"escalation:{kind}",
        f"督办：{task.period}周期成效数据逾期未报，报{Role.DISTRICT_BUREAU.label}",
    )
    return step.effects


def _task_at(state: ProjectState, moment: datetime) -> Task:
    for task in state.tasks:
        if (task.reminder_at == moment and not task.reminded) or (
            task.due_at == moment and not task.escalated
        ):
            return task
    raise AssertionError(f"nothing due at {moment}")
