"""The lifecycle as pure functions: what each decision and each due date does (docs/regulation.md).

The workflow owns the clock and the I/O; these functions take `now`, change the state and return
the effects (names, notifications, records) for the workflow to run as activities.
"""

from datetime import date, datetime

from domain.actors import Actor, Role
from domain.deadlines import legal_deadline
from domain.decisions import (
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    DecisionRequest,
    EvaluateDistrict,
    EvaluateMunicipal,
    KeepMunicipalName,
    RecommendMunicipal,
    RecommendNationalBase,
    ReportRectification,
    ReportViolation,
    RequestAcceptance,
    ReviewMunicipal,
    ReviewRectification,
    SelectTypicalCase,
    SubmitData,
    UpdateProfile,
    Withdraw,
    WithdrawTypicalCase,
)
from domain.durations import add_duration, local_date, next_after, start_of_day
from domain.effects import (
    Effect,
    EndName,
    GrantName,
    Notify,
    OweData,
    Recipient,
    RecordData,
    RecordDecision,
)
from domain.naming import district_project_name, municipal_project_name
from domain.periods import Period, parse_period, period_containing
from domain.policy import Policy
from domain.project import BasicConditions, Contact, ImportedNaming, ProjectSpec
from domain.rules import check_decision, off_cycle_allowed
from domain.stages import Level, Stage
from domain.state import (
    MAX_DATA_PERIODS,
    MAX_HISTORY,
    MAX_OPEN_DATA_TASKS,
    RULES,
    HistoryEntry,
    NameEnding,
    NameRecord,
    NationalBase,
    ProjectState,
    Task,
    TaskKind,
    TypicalCase,
    deadline_day,
)
from domain.workdays import WorkCalendar

# Body fields kept out of the state's history (its payload must stay small).
LONG_TEXTS = ("report", "improvements", "summary")


def _fmt(moment: datetime) -> str:
    return local_date(moment).isoformat()


class Step:
    """One event being applied: its sequence number, time and the effects it collects."""

    def __init__(self, state: ProjectState, now: datetime) -> None:
        state.seq += 1
        self.state = state
        self.now = now
        self.seq = state.seq
        self.stage_before = state.stage
        self.effects: list[Effect] = []

    # recipients
    def unit(self) -> Recipient:
        return Recipient(role=Role.UNIT, credit_code=self.state.spec.unit.credit_code)

    def district(self) -> Recipient:
        return Recipient(role=Role.DISTRICT_BUREAU, district=self.state.spec.district)

    def municipal(self) -> Recipient:
        return Recipient(role=Role.MUNICIPAL_BUREAU)

    def role(self, role: Role) -> Recipient:
        if role is Role.UNIT:
            return self.unit()
        return self.district() if role is Role.DISTRICT_BUREAU else self.municipal()

    def notify(self, tag: str, recipients: list[Recipient], subject: str, body: str) -> None:
        key = f"{self.state.project_id}/{self.seq}/{tag}"
        title = f"【{self.state.display_name}】{subject}"
        self.effects.append(Notify(key=key, recipients=recipients, subject=title, body=body))

    def deadline(self, start: datetime, period: str) -> tuple[datetime, str | None]:
        """When a deadline of `period` from `start` ends, and the rule that set it (rules 3 with
        a calendar: 24:00 of the last day, moved over rest days; docs/deadlines.md)."""
        calendar = self.state.calendar
        if self.state.rules < 3 or calendar is None:
            return add_duration(start, period), None
        deadline = legal_deadline(start, period, calendar)
        return deadline.due, deadline.label

    @staticmethod
    def day(due: datetime, rule: str | None) -> str:
        """The Shanghai date a deadline ends on, as messages give it."""
        return deadline_day(due, rule).isoformat()

    # tasks
    def open_task(self, kind: TaskKind, opened_at: datetime) -> Task:
        existing = self.state.task(kind)
        if existing:
            return existing
        policy = self.state.policy
        due, rule = self.deadline(opened_at, policy.decision_due)
        reminder = add_duration(due, policy.decision_reminder_before, -1)
        task = Task(
            kind=kind,
            action=kind.action,
            role=kind.role,
            opened_at=opened_at,
            due_at=due,
            reminder_at=reminder if reminder > opened_at else None,
            due_rule=rule,
        )
        self.state.tasks.append(task)
        return task

    def data_due(self, period: Period) -> tuple[datetime, str | None]:
        """When the unit's figures for `period` are due: `data_due_after` counted from the
        period's last day (a year's by 31 January, moved over rest days; docs/deadlines.md)."""
        after = self.state.policy.data_due_after
        if self.state.rules < 3 or self.state.calendar is None:
            return add_duration(period.end, after), None
        return self.deadline(period.last_day_start, after)

    def open_data_task(self, period: Period) -> Task:
        """Rules 4: the unit's task to submit its figures for `period` (one per period)."""
        existing = self.state.data_task(period.label)
        if existing:
            return existing
        open_ = [t for t in self.state.tasks if t.kind is TaskKind.DATA_SUBMISSION]
        for dropped in open_[: max(0, len(open_) - MAX_OPEN_DATA_TASKS + 1)]:
            self.state.tasks.remove(dropped)
        due, rule = self.data_due(period)
        reminder = add_duration(due, self.state.policy.decision_reminder_before, -1)
        task = Task(
            kind=TaskKind.DATA_SUBMISSION,
            action=TaskKind.DATA_SUBMISSION.action,
            role=TaskKind.DATA_SUBMISSION.role,
            opened_at=self.now,
            due_at=due,
            reminder_at=reminder if reminder > self.now else None,
            due_rule=rule,
            period=period.label,
        )
        self.state.tasks.append(task)
        self.effects.append(
            OweData(
                key=f"{self.state.project_id}/{period.label}",
                district=self.state.spec.district,
                period=period.label,
                opened_at=self.now,
                due_at=due,
            )
        )
        return task

    def close_task(self, kind: TaskKind) -> Task | None:
        task = self.state.task(kind)
        if task:
            self.state.tasks.remove(task)
        return task

    # names
    def grant(self, level: Level, by: Role, granted_at: datetime) -> NameRecord:
        spec = self.state.spec
        text = (
            district_project_name(spec.district, spec.focus)
            if level is Level.DISTRICT
            else municipal_project_name(spec.focus)
        )
        record = NameRecord(
            key=f"{self.state.project_id}/{level.value}/{self.seq}",
            level=level,
            name=text,
            granted_at=granted_at,
            granted_on=local_date(granted_at),
            granted_by=by,
        )
        self.state.names.append(record)
        self.effects.append(GrantName(name=record))
        return record

    def end_name(self, level: Level, kind: str, by: Role, reason: str) -> NameRecord | None:
        record = self.state.active_name(level)
        if record is None:
            return None
        assert kind in ("cancelled", "revoked")
        record.ending = NameEnding(
            kind="cancelled" if kind == "cancelled" else "revoked",
            at=self.now,
            on=local_date(self.now),
            by=by,
            reason=reason,
        )
        self.effects.append(EndName(name_key=record.key, ending=record.ending))
        return record

    # schedules
    def schedule_district_evaluation(self, after: datetime) -> None:
        state = self.state
        assert state.district_named_on is not None
        state.next_district_evaluation_at = next_after(
            start_of_day(state.district_named_on),
            state.policy.district_interval(state.spec.district),
            after,
        )

    def schedule_municipal_review(self, after: datetime) -> None:
        state = self.state
        assert state.municipal_named_on is not None
        state.next_municipal_review_at = next_after(
            start_of_day(state.municipal_named_on), state.policy.municipal_review_interval, after
        )

    def leave_municipal_level(self) -> None:
        """Back to a district project: municipal tasks go, district evaluations resume."""
        state = self.state
        for kind in (TaskKind.MUNICIPAL_REVIEW, TaskKind.RECTIFICATION_REVIEW):
            self.close_task(kind)
        state.next_municipal_review_at = None
        self.clear_rectification()
        state.stage = Stage.DISTRICT_NAMED
        self.schedule_district_evaluation(self.now)

    def clear_rectification(self) -> None:
        state = self.state
        state.rectification_deadline = None
        state.rectification_reported = False
        state.rectification_reports = 0
        state.rectification_reminders = []

    def end_process(self, stage: Stage) -> None:
        state = self.state
        state.stage = stage
        state.tasks = []
        state.next_district_evaluation_at = None
        state.next_municipal_review_at = None
        state.next_data_period_end = None
        self.clear_rectification()

    def history(
        self,
        event: str,
        summary: str,
        actor: Actor | None = None,
        payload: dict[str, object] | None = None,
    ) -> HistoryEntry:
        entry = HistoryEntry(
            seq=self.seq,
            at=self.now,
            event=event,
            actor=actor,
            stage_before=self.stage_before,
            stage_after=self.state.stage,
            summary=summary,
            payload=payload or {},
        )
        # Long texts (a rectification report, data's improvements, a typical case's summary) go
        # to the decisions record, not into the state.
        kept = {k: v for k, v in entry.payload.items() if k not in LONG_TEXTS}
        for field in LONG_TEXTS:
            if field in entry.payload:
                kept[f"{field}_chars"] = len(str(entry.payload[field]))
        history = self.state.history
        history.append(entry.model_copy(update={"payload": kept}))
        del history[:-MAX_HISTORY]
        return entry


def new_state(
    project_id: str,
    spec: ProjectSpec,
    policy: Policy,
    now: datetime,
    imported: ImportedNaming | None = None,
    rules: int = RULES,
    calendar: WorkCalendar | None = None,
) -> tuple[ProjectState, list[Effect]]:
    """A registered project in `building`, or an imported one with its names and timers.

    On rules 2, an import whose evaluation fell due before it (and was not done since, by the
    import's `*_last_evaluated_on`) opens that evaluation's task at once.
    """
    state = ProjectState(
        project_id=project_id,
        spec=spec,
        policy=policy,
        stage=Stage.BUILDING,
        registered_at=now,
        rules=rules,
        calendar=calendar if rules >= 3 else None,
        calendar_checked_on=local_date(now) if calendar and rules >= 3 else None,
    )
    step = Step(state, now)
    if imported is None:
        step.history("register", "登记项目，进入建设阶段")
        return state, step.effects
    state.district_named_on = imported.district_named_on
    step.grant(Level.DISTRICT, Role.DISTRICT_BUREAU, start_of_day(imported.district_named_on))
    summary = f"导入已命名项目：区级命名于{imported.district_named_on.isoformat()}"
    if imported.municipal_named_on:
        state.municipal_named_on = imported.municipal_named_on
        step.grant(
            Level.MUNICIPAL, Role.MUNICIPAL_BUREAU, start_of_day(imported.municipal_named_on)
        )
        state.stage = Stage.MUNICIPAL_NAMED
        step.schedule_municipal_review(now)
        summary += f"，市级命名于{imported.municipal_named_on.isoformat()}"
        kind = TaskKind.MUNICIPAL_REVIEW
        missed = _missed_due(
            start_of_day(imported.municipal_named_on),
            policy.municipal_review_interval,
            now,
            imported.municipal_last_evaluated_on,
        )
    else:
        state.stage = Stage.DISTRICT_NAMED
        step.schedule_district_evaluation(now)
        kind = TaskKind.DISTRICT_EVALUATION
        missed = _missed_due(
            start_of_day(imported.district_named_on),
            policy.district_interval(spec.district),
            now,
            imported.district_last_evaluated_on,
        )
    step.history("import", summary)
    start_data_collection(state, now)
    if rules < 2 or missed is None:
        return state, step.effects
    # Behind: the evaluation that fell due before the import opens now (docs/regulation.md).
    due = Step(state, now)
    if kind is TaskKind.MUNICIPAL_REVIEW:
        state.next_municipal_review_at = None
    else:
        state.next_district_evaluation_at = None
    task = due.open_task(kind, now)
    due.notify(
        "task",
        [due.role(task.role)],
        f"{kind.label}到期",
        f"{kind.label}已于{_fmt(missed)}到期（导入前），请于{due.day(task.due_at, task.due_rule)}前作出决定。",
    )
    due.history(
        f"due:{kind.value}",
        f"{kind.label}已于{_fmt(missed)}到期（导入前），待{task.role.label}决定",
    )
    return state, step.effects + due.effects


def start_data_collection(state: ProjectState, now: datetime) -> None:
    """Rules 4 (Art. 9.1): a named project's first data task opens when the current period
    ends. Called on naming, on import, and when a run of a named project moves to rules 4."""
    if (
        state.rules >= 4
        and not state.stage.is_end
        and state.level is not Level.NONE
        and state.next_data_period_end is None
    ):
        state.next_data_period_end = period_containing(now, state.policy.data_period).end


def _missed_due(
    anchor: datetime, period: str, now: datetime, last_evaluated_on: date | None
) -> datetime | None:
    """The latest anchor + k × period (k ≥ 1) at or before `now`, unless an evaluation on or
    after that day is recorded."""
    upcoming = next_after(anchor, period, now)
    first = add_duration(anchor, period)
    if first > now:
        return None
    # The k of `upcoming`, from an estimate: repeated periods are counted from the anchor.
    k = max(1, round((upcoming - anchor) / (first - anchor)))
    while add_duration(anchor, period, k) > upcoming:
        k -= 1
    while add_duration(anchor, period, k) < upcoming:
        k += 1
    missed = add_duration(anchor, period, k - 1)
    if last_evaluated_on is not None and last_evaluated_on >= local_date(missed):
        return None
    return missed


def apply_decision(state: ProjectState, request: DecisionRequest, now: datetime) -> list[Effect]:
    """Check a decision (DecisionRefused) and apply it; returns the effects to run, in order."""
    check_decision(state, request.actor, request.decision, now)
    return apply_accepted(state, request, now)


def apply_accepted(state: ProjectState, request: DecisionRequest, now: datetime) -> list[Effect]:
    """Apply a decision already accepted (by the workflow's validator), without checking again.

    Replaying a running process re-applies its decisions without running validators: a rule
    tightened later must not refuse what was accepted then.
    """
    actor, decision = request.actor, request.decision
    step = Step(state, now)
    summary = _DECIDE[type(decision)](step, actor, decision)
    entry = step.history(
        decision.action.value, summary, actor, decision.model_dump(mode="json", exclude={"action"})
    )
    return [RecordDecision(entry=entry), *step.effects]


def _request_acceptance(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, RequestAcceptance)
    step.state.stage = Stage.ACCEPTANCE
    task = step.open_task(TaskKind.ACCEPTANCE, step.now)
    step.notify(
        "district",
        [step.district()],
        "申请验收",
        f"实施单位申请验收，请于{step.day(task.due_at, task.due_rule)}前组织验收并作出结论（第六条）。",
    )
    return "申请验收"


def _decide_acceptance(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, DecideAcceptance)
    state = step.state
    step.close_task(TaskKind.ACCEPTANCE)
    if not d.passed:
        state.stage = Stage.BUILDING
        step.notify("unit", [step.unit()], "验收未通过", d.note or "验收未通过，请完善后重新申请。")
        return "验收未通过，退回建设阶段"
    record = step.grant(Level.DISTRICT, Role.DISTRICT_BUREAU, step.now)
    state.district_named_on = record.granted_on
    state.stage = Stage.DISTRICT_NAMED
    step.schedule_district_evaluation(step.now)
    start_data_collection(state, step.now)
    step.notify("unit", [step.unit()], "通过验收", f"通过验收，认定命名为“{record.name}”。")
    return f"通过验收，认定命名为“{record.name}”"


def _withdraw(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, Withdraw)
    step.end_process(Stage.WITHDRAWN)
    step.notify("district", [step.district()], "实施单位撤回", f"撤回原因：{d.reason}")
    return f"实施单位撤回：{d.reason}"


def _evaluate_district(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, EvaluateDistrict)
    if off_cycle_allowed(step.state):
        return _check_district_conditions(step, d)
    task = step.close_task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    if d.meets_conditions:
        step.schedule_district_evaluation(task.opened_at)
        step.state.cycle_completed = True
        nxt = step.state.next_district_evaluation_at
        assert nxt is not None
        step.notify("unit", [step.unit()], "区级定期评估通过", f"下次评估：{_fmt(nxt)}。")
        return f"区级定期评估：仍符合基本条件，下次评估{_fmt(nxt)}"
    reason = "经定期评估不再符合基本条件（第九条第二项）"
    step.end_name(Level.DISTRICT, "cancelled", Role.DISTRICT_BUREAU, reason)
    step.end_process(Stage.CANCELLED)
    step.notify("unit", [step.unit(), step.municipal()], "区级命名取消", reason)
    return f"区级命名取消：{reason}"


def _check_district_conditions(step: Step, d: EvaluateDistrict) -> str:
    """Between periodic evaluations (Art. 9.2 及时取消): cancel if the conditions are no longer
    met; if they are, nothing changes (the periodic cadence is not moved)."""
    if d.meets_conditions:
        nxt = step.state.next_district_evaluation_at
        when = f"（下次定期评估{_fmt(nxt)}）" if nxt else ""
        return f"区级核查：仍符合基本条件，定期评估安排不变{when}"
    reason = f"经核查不再符合基本条件，及时取消（第九条第二项）：{d.note}"
    step.end_name(Level.DISTRICT, "cancelled", Role.DISTRICT_BUREAU, reason)
    step.end_process(Stage.CANCELLED)
    step.notify("unit", [step.unit(), step.municipal()], "区级命名取消", reason)
    return f"区级命名取消：{reason}"


def _apply_municipal(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, ApplyMunicipal)
    step.state.stage = Stage.MUNICIPAL_RECOMMENDATION
    task = step.open_task(TaskKind.MUNICIPAL_RECOMMENDATION, step.now)
    step.notify(
        "district",
        [step.district()],
        "申请市级命名",
        f"实施单位申请市级项目命名，请于{step.day(task.due_at, task.due_rule)}前作出推荐意见（第七条）。",
    )
    return "申请市级命名"


def _recommend_municipal(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, RecommendMunicipal)
    state = step.state
    step.close_task(TaskKind.MUNICIPAL_RECOMMENDATION)
    if not d.recommend:
        state.stage = Stage.DISTRICT_NAMED
        step.notify(
            "unit", [step.unit()], "区局不予推荐", d.note or "区市场监管局不予推荐市级命名。"
        )
        return "区市场监管局不予推荐"
    state.stage = Stage.MUNICIPAL_EVALUATION
    task = step.open_task(TaskKind.MUNICIPAL_EVALUATION, step.now)
    step.notify(
        "municipal",
        [step.municipal()],
        "区局推荐市级命名",
        f"请于{step.day(task.due_at, task.due_rule)}前组织评估（第八条）。",
    )
    step.notify("unit", [step.unit()], "区局已推荐", "已推荐至市市场监管局评估。")
    return "区市场监管局推荐申请市级命名"


def _evaluate_municipal(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, EvaluateMunicipal)
    state = step.state
    step.close_task(TaskKind.MUNICIPAL_EVALUATION)
    if not d.passed:
        state.stage = Stage.DISTRICT_NAMED
        step.notify(
            "failed",
            [step.unit(), step.district()],
            "市级评估未通过",
            d.note or "市级命名评估未通过，仍为区级项目。",
        )
        return "市级命名评估未通过，仍为区级项目"
    record = step.grant(Level.MUNICIPAL, Role.MUNICIPAL_BUREAU, step.now)
    state.municipal_named_on = record.granted_on
    state.stage = Stage.MUNICIPAL_NAMED
    # While a project is municipal, district evaluations pause.
    step.close_task(TaskKind.DISTRICT_EVALUATION)
    state.next_district_evaluation_at = None
    step.schedule_municipal_review(step.now)
    nxt = state.next_municipal_review_at
    assert nxt is not None
    step.notify(
        "named",
        [step.unit(), step.district()],
        "认定为市级项目",
        f"通过评估，认定命名为“{record.name}”；首次三年评估：{_fmt(nxt)}。",
    )
    return f"通过市级评估，认定命名为“{record.name}”"


def _review_municipal(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, ReviewMunicipal)
    state = step.state
    task = step.close_task(TaskKind.MUNICIPAL_REVIEW)
    assert task is not None
    if d.passed:
        step.schedule_municipal_review(task.opened_at)
        state.cycle_completed = True
        nxt = state.next_municipal_review_at
        assert nxt is not None
        step.notify("unit", [step.unit()], "三年评估通过", f"下次评估：{_fmt(nxt)}。")
        return f"三年评估通过，下次评估{_fmt(nxt)}"
    state.stage = Stage.RECTIFICATION
    state.next_municipal_review_at = None
    deadline, rule = step.deadline(step.now, state.policy.rectification_period)
    state.rectification_deadline = deadline
    state.rectification_deadline_rule = rule
    state.rectification_reported = False
    state.rectification_reports = 0
    reminders = (add_duration(deadline, b, -1) for b in state.policy.rectification_reminders_before)
    state.rectification_reminders = sorted(r for r in reminders if r > step.now)
    step.notify(
        "rectification",
        [step.unit(), step.district()],
        "三年评估未达标，进入整改期",
        f"服务效能未达标，给予整改期至{step.day(deadline, rule)}（第九条第三项），请按期提交整改报告。",
    )
    return f"三年评估未达标，整改期至{step.day(deadline, rule)}"


def _report_rectification(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, ReportRectification)
    step.state.rectification_reported = True
    step.state.rectification_reports += 1
    step.notify("municipal", [step.municipal()], "收到整改报告", d.report[:500])
    return "提交整改报告"


def _review_rectification(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, ReviewRectification)
    state = step.state
    step.close_task(TaskKind.RECTIFICATION_REVIEW)
    state.cycle_completed = True
    if d.passed:
        step.clear_rectification()
        state.stage = Stage.MUNICIPAL_NAMED
        # The 3-year cadence keeps its anchor: naming date + n × interval.
        step.schedule_municipal_review(step.now)
        nxt = state.next_municipal_review_at
        assert nxt is not None
        step.notify(
            "passed", [step.unit(), step.district()], "整改复评通过", f"下次评估：{_fmt(nxt)}。"
        )
        return f"整改复评通过，下次三年评估{_fmt(nxt)}"
    reason = "整改无效（第九条第三项）"
    step.end_name(Level.MUNICIPAL, "cancelled", Role.MUNICIPAL_BUREAU, reason)
    if state.rules >= 2 and state.active_name(Level.DISTRICT) is None:
        # The district name was revoked earlier: no name is left.
        step.end_process(Stage.CANCELLED)
        step.notify(
            "failed",
            [step.unit(), step.district()],
            "市级命名取消",
            f"{reason}，取消市级命名；区级命名此前已撤消，项目终止。",
        )
        return f"整改复评未通过，取消市级命名：{reason}；已无命名，项目终止"
    step.leave_municipal_level()
    step.notify(
        "failed",
        [step.unit(), step.district()],
        "市级命名取消",
        f"{reason}，取消市级命名；区级命名保留，恢复区级定期评估。",
    )
    return f"整改复评未通过，取消市级命名：{reason}"


def _report_violation(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, ReportViolation)
    state = step.state
    reason = f"{d.finding.label}（第十条）"
    everyone = [step.unit(), step.district(), step.municipal()]
    if d.scope == "district":
        if state.active_name(Level.DISTRICT) is None:
            step.end_process(Stage.REJECTED)
            step.notify("rejected", everyone, "申请终止", reason)
            return f"命名前认定{reason}，申请终止"
        step.end_name(Level.DISTRICT, "revoked", Role.DISTRICT_BUREAU, reason)
        if state.rules >= 2 and state.active_name(Level.MUNICIPAL) is not None:
            return _refer_to_municipal(step, reason, d.note or "")
        # Rules 1: a municipal name presupposes the district one: it ends with it.
        step.end_name(
            Level.MUNICIPAL, "revoked", Role.DISTRICT_BUREAU, f"区级命名被撤消（{reason}）"
        )
        step.end_process(Stage.REVOKED)
        step.notify("revoked", everyone, "命名撤消", reason)
        return f"撤消命名：{reason}"
    if state.active_name(Level.MUNICIPAL) is None:
        step.close_task(TaskKind.MUNICIPAL_RECOMMENDATION)
        step.close_task(TaskKind.MUNICIPAL_EVALUATION)
        state.stage = Stage.DISTRICT_NAMED
        step.notify("rejected", everyone, "市级命名申请终止", reason)
        return f"市级命名前认定{reason}，市级申请终止，仍为区级项目"
    step.end_name(Level.MUNICIPAL, "revoked", Role.MUNICIPAL_BUREAU, reason)
    referred = step.close_task(TaskKind.VIOLATION_REFERRAL) is not None
    answer = "（答复区局移送）" if referred else ""
    if state.rules >= 2 and state.active_name(Level.DISTRICT) is None:
        step.end_process(Stage.REVOKED)
        step.notify("revoked", everyone, "市级命名撤消", f"{reason}；已无命名，项目终止。")
        return f"撤消市级命名{answer}：{reason}；已无命名，项目终止"
    step.leave_municipal_level()
    step.notify("revoked", everyone, "市级命名撤消", f"{reason}；区级命名保留。")
    return f"撤消市级命名{answer}：{reason}"


def _refer_to_municipal(step: Step, reason: str, note: str) -> str:
    """谁命名谁撤消 (Art. 10): the district bureau revoked its own name only; the municipal
    name stands, and the finding goes to the municipal bureau, who revokes or keeps it."""
    task = step.open_task(TaskKind.VIOLATION_REFERRAL, step.now)
    step.notify(
        "referral",
        [step.municipal()],
        "区局移送违规认定",
        f"区市场监管局认定{reason}，已撤消区级命名。查明事实：{note}。"
        f"市级命名由市市场监管局决定撤消或保留，请于{step.day(task.due_at, task.due_rule)}前作出决定。",
    )
    step.notify(
        "revoked",
        [step.unit()],
        "区级命名撤消",
        f"{reason}；区级命名撤消，市级命名待市市场监管局决定。",
    )
    return f"撤消区级命名：{reason}；市级命名移送市市场监管局决定"


def _keep_municipal_name(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, KeepMunicipalName)
    step.close_task(TaskKind.VIOLATION_REFERRAL)
    step.notify(
        "kept",
        [step.unit(), step.district()],
        "保留市级命名",
        f"市市场监管局对区局移送的违规认定决定保留市级命名。理由：{d.reason}",
    )
    return f"保留市级命名：{d.reason}"


def _update_profile(step: Step, actor: Actor, d: Decision) -> str:
    """Art. 11: the profile (contacts, service items, conditions) kept current; the unit,
    district, type and focus make the name and never change."""
    assert isinstance(d, UpdateProfile)
    spec = step.state.spec
    given = {
        "contact": d.contact,
        "service_items": d.service_items,
        "basic_conditions": d.basic_conditions,
    }
    changes = {
        field: value
        for field, value in given.items()
        if value is not None and value != _part(spec, field)
    }
    if not changes:
        return "更新项目资料：内容与原有资料相同，未作改动"
    described = "；".join(_describe_change(spec, field, value) for field, value in changes.items())
    unit = spec.unit
    if "contact" in changes:
        unit = unit.model_copy(update={"contact": changes.pop("contact")})
    step.state.spec = spec.model_copy(update={"unit": unit, **changes})
    step.notify(
        "district",
        [step.district()],
        "项目资料已更新",
        f"{actor.role.label}更新了项目资料：{described}。",
    )
    return f"更新项目资料：{described}"


def _part(spec: ProjectSpec, field: str) -> object:
    return spec.unit.contact if field == "contact" else getattr(spec, field)


def _describe_change(spec: ProjectSpec, field: str, value: object) -> str:
    if isinstance(value, Contact):
        old = spec.unit.contact
        return f"联系人由{old.person}（{old.phone}，{old.email}）改为{value.person}（{value.phone}，{value.email}）"
    if isinstance(value, list):
        titles = "、".join(item.title for item in value)
        return f"服务事项由{len(spec.service_items)}项改为{len(value)}项（{titles}）"
    assert isinstance(value, BasicConditions)
    unmet = value.unmet()
    return "基本条件更新为" + ("全部满足" if not unmet else f"未满足：{'、'.join(unmet)}")


def _submit_data(step: Step, actor: Actor, d: Decision) -> str:
    """Art. 9.1: the unit's figures for a period; a second submission corrects the first (both
    stay in the record; the figures read the latest)."""
    assert isinstance(d, SubmitData)
    state = step.state
    period = parse_period(d.period, state.policy.data_period)
    assert period is not None  # checked by domain.rules
    task = state.data_task(period.label)
    if task is not None:
        state.tasks.remove(task)
        due = task.due_at
    else:
        due = step.data_due(period)[0]
    correction = period.label in state.data_submitted
    if not correction:
        state.data_submitted.append(period.label)
        del state.data_submitted[:-MAX_DATA_PERIODS]
    on_time = step.now < due
    step.effects.append(
        RecordData(
            key=f"{state.project_id}/{step.seq}",
            district=state.spec.district,
            period=period.label,
            seq=step.seq,
            smes_served=d.smes_served,
            services={element.value: count for element, count in d.services.items()},
            improvements=d.improvements,
            submitted_at=step.now,
            due_at=due,
            on_time=on_time,
        )
    )
    services = sum(d.services.values())
    what = "更正" if correction else "报送"
    when = "" if correction else ("（按期）" if on_time else "（逾期）")
    figures = f"服务中小企业{d.smes_served}家，各要素服务合计{services}次"
    step.notify(
        "district",
        [step.district()],
        f"{what}{period.label}数据",
        f"实施单位{what}了{period.label}周期的成效数据：{figures}。成效说明：{d.improvements[:500]}",
    )
    return f"{what}{period.label}周期成效数据{when}：{figures}"


def _select_typical_case(step: Step, actor: Actor, d: Decision) -> str:
    """Art. 9.4: selected cases are published in the directory (Art. 11)."""
    assert isinstance(d, SelectTypicalCase)
    step.state.typical_case = TypicalCase(
        title=d.title, summary=d.summary, selected_at=step.now, selected_on=local_date(step.now)
    )
    step.notify(
        "unit",
        [step.unit(), step.district()],
        "入选典型案例",
        f"市市场监管局遴选本项目为典型案例（第九条第四项）：“{d.title}”，将向社会公布。",
    )
    return f"遴选为典型案例：“{d.title}”"


def _withdraw_typical_case(step: Step, actor: Actor, d: Decision) -> str:
    assert isinstance(d, WithdrawTypicalCase)
    case = step.state.typical_case
    assert case is not None  # checked by domain.rules
    step.state.typical_case = None
    step.notify(
        "unit",
        [step.unit(), step.district()],
        "典型案例撤回",
        f"市市场监管局撤回典型案例“{case.title}”，不再公布。理由：{d.reason}",
    )
    return f"撤回典型案例“{case.title}”：{d.reason}"


def _recommend_national_base(step: Step, actor: Actor, d: Decision) -> str:
    """Art. 12: municipal projects are recommended first for the national base."""
    assert isinstance(d, RecommendNationalBase)
    name = step.state.active_name(Level.MUNICIPAL)
    assert name is not None  # checked by domain.rules
    step.state.national_base = NationalBase(
        recommended_at=step.now,
        recommended_on=local_date(step.now),
        name_key=name.key,
        note=d.note,
    )
    step.notify(
        "unit",
        [step.unit(), step.district()],
        "推荐申报国家基地",
        "市市场监管局推荐本项目申报国家质量基础设施集成服务基地（第十二条）。",
    )
    return "推荐申报国家质量基础设施集成服务基地（第十二条）"


_DECIDE = {
    RequestAcceptance: _request_acceptance,
    DecideAcceptance: _decide_acceptance,
    Withdraw: _withdraw,
    EvaluateDistrict: _evaluate_district,
    ApplyMunicipal: _apply_municipal,
    RecommendMunicipal: _recommend_municipal,
    EvaluateMunicipal: _evaluate_municipal,
    ReviewMunicipal: _review_municipal,
    ReportRectification: _report_rectification,
    ReviewRectification: _review_rectification,
    ReportViolation: _report_violation,
    KeepMunicipalName: _keep_municipal_name,
    UpdateProfile: _update_profile,
    SubmitData: _submit_data,
    SelectTypicalCase: _select_typical_case,
    WithdrawTypicalCase: _withdraw_typical_case,
    RecommendNationalBase: _recommend_national_base,
}
