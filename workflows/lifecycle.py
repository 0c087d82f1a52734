"""ProjectLifecycle: one project's whole life as a durable process (docs/regulation.md).

The rules live in `domain` (pure); this class owns time and I/O. Decisions arrive as the
`decide` update: the validator refuses what the stage, role or district does not allow before
anything reaches history; the handler applies the decision to the state and queues its effects.
The main loop runs queued effects as activities, sleeps on a durable timer until the next
reminder, escalation or due date, and continues as new after each completed evaluation cycle.
"""

import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.calendar import CalendarRequest, load_work_calendar
    from activities.inputs import (
        EndNameInput,
        GrantNameInput,
        NotifyInput,
        RecordDecisionInput,
        StepInput,
        SyncProjectInput,
    )
    from activities.store import StoreActivities
    from db.read_model import project_row
    from domain.deadlines import calendar_years_to_load
    from domain.decisions import DecisionRequest
    from domain.durations import local_date
    from domain.effects import (
        Effect,
        EndName,
        GrantName,
        Notify,
        OweData,
        RecordData,
        RecordDecision,
    )
    from domain.lifecycle import apply_accepted, new_state, start_data_collection
    from domain.rules import DecisionRefused, check_decision
    from domain.state import RULES, ProjectState
    from domain.timers import advance_time, next_wakeup
    from workflows import search_attributes as sa
    from workflows.inputs import FirstStep, LifecycleInput

# Activities retry until the database answers again; a business failure is non-retryable.
ACTIVITY_TIMEOUT = timedelta(seconds=30)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Update ids remembered across continue-as-new, so a retried request is applied once.
REMEMBERED_UPDATES = 100
# Release 2: one activity, one transaction per step. Runs started before it replay and continue
# on the one-activity-per-effect path until their next continue-as-new (patched() is memoized
# per run), so their recorded histories stay deterministic.
ONE_TRANSACTION_STEP = "one-transaction-step"
# Release 3: the rules of issue #7 (谁命名谁撤消, 及时取消, imports behind; domain.state.RULES).
# Each run asks once, as it starts (before a new process's first step is computed): a run that
# started before the patch replays and continues on the rules it carries (state.rules, 1 when
# stored before the field existed) until its next continue-as-new.
FIDELITY_RULES = "fidelity-rules"
# Release 4: legal deadlines (rules 3, docs/deadlines.md). Asked, like the one before, once as
# each run starts; a run on rules 3 loads its work calendar with a local activity before its
# first wait, and again when a year it needs is missing (domain.deadlines).
LEGAL_DEADLINES = "legal-deadlines"
# Release 4 too: the project's name as the search attribute QisProjectName, so the UI's list
# shows and searches it. Asked once per run: runs recorded without it replay without it.
PROJECT_NAME_ATTRIBUTE = "project-name-attribute"
# Release 5: data collection (rules 4, Art. 9.1): a named project's unit gets a task when each
# data period ends. Asked once as each run starts, like the two before.
DATA_COLLECTION = "data-collection"
# Release 6: a new run records this one patch and takes the five above as given (each recorded
# a marker and a TemporalChangeVersion upsert as every new run began: ten events); the start
# sets the search attributes and the run upserts only those that change. Asked first, as each
# run starts: a run recorded without it asks the five as before, in the same order.
LEAN_RUN = "lean-run"
CALENDAR_TIMEOUT = timedelta(seconds=30)
# A first step computed by the starter is taken when it was computed on this run's rules and at
# (nearly) this run's start: the same moment in any deployment. A starter whose clock is far from
# the server's (a test server whose time was skipped) gets the step computed here instead.
STARTER_CLOCK_SKEW = timedelta(minutes=10)

In = TypeVar("In")


@workflow.defn(name="ProjectLifecycle")
class ProjectLifecycle:
    """One quality-infrastructure service project, from registration to its end."""

    @workflow.init
    def __init__(self, input: LifecycleInput) -> None:
        self._effects: deque[Effect] = deque()
        self._lean = self._lean_run()
        rules = self._rules()
        self._name_attribute = self._lean or self._project_name_attribute()
        first = input.first
        if input.state is not None:
            self._state = input.state
            self._state.rules = max(self._state.rules, rules)
            # A named project moving to rules 4 starts owing data from the current period.
            start_data_collection(self._state, workflow.now())
        elif first is not None and self._takes(first, rules):
            self._state = first.state
            self._effects.extend(first.effects)
        else:
            self._state, effects = new_state(
                input.project_id,
                input.spec,
                input.policy,
                workflow.now(),
                input.imported,
                rules=rules,
                calendar=input.calendar,
            )
            self._effects.extend(effects)
        self._dirty = True

    @workflow.run
    async def run(self, input: LifecycleInput) -> ProjectState:
        state = self._state
        while True:
            await self._drain()
            if state.stage.is_end:
                break
            await self._load_calendar()
            if state.cycle_completed or workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._drain()
                state.cycle_completed = False
                state.run += 1
                workflow.continue_as_new(
                    LifecycleInput(
                        project_id=state.project_id,
                        spec=state.spec,
                        policy=state.policy,
                        state=state,
                    )
                )
            wake = next_wakeup(state)
            timeout = wake - workflow.now() if wake else None
            if timeout is None or timeout > timedelta(0):
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(
                        lambda: bool(self._effects) or self._dirty, timeout=timeout
                    )
            fired = advance_time(state, workflow.now())
            if fired:
                self._effects.extend(fired)
                self._dirty = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return state

    @workflow.update
    def decide(self, request: DecisionRequest) -> ProjectState:
        """Take a decision; returns the project's state after it."""
        if self._already_applied():
            return self._state
        # What fell due before this decision comes first, even if the main loop is still busy.
        self._effects.extend(advance_time(self._state, workflow.now()))
        self._effects.extend(apply_accepted(self._state, request, workflow.now()))
        self._remember_update()
        self._dirty = True
        return self._state

    @decide.validator
    def _validate_decide(self, request: DecisionRequest) -> None:
        if self._already_applied():
            return
        state = self._state
        wake = next_wakeup(state)
        if wake is not None and wake <= workflow.now():
            # Judge against the state as it is now; a validator must not change the real one.
            state = state.model_copy(deep=True)
            advance_time(state, workflow.now())
        try:
            check_decision(state, request.actor, request.decision, workflow.now())
        except DecisionRefused as refused:
            if refused.field is not None:
                # A body field wrong for this project (a data period not ended): 422 naming it.
                raise ApplicationError(
                    refused.message, refused.field, type="DecisionInvalid", non_retryable=True
                ) from None
            raise ApplicationError(
                refused.message,
                [a.value for a in refused.allowed],
                type="DecisionRefused",
                non_retryable=True,
            ) from None

    @workflow.query
    def state(self) -> ProjectState:
        """The project's full state: stage, level, names, tasks, next deadline, history."""
        return self._state

    def _already_applied(self) -> bool:
        info = workflow.current_update_info()
        return info is not None and info.id in self._state.recent_update_ids

    def _remember_update(self) -> None:
        info = workflow.current_update_info()
        if info is not None:
            ids = self._state.recent_update_ids
            ids.append(info.id)
            del ids[:-REMEMBERED_UPDATES]

    @staticmethod
    def _takes(first: FirstStep, rules: int) -> bool:
        """Whether the starter's first step is this run's: same rules, computed at its start."""
        skew = abs(workflow.now() - first.state.registered_at)
        return first.state.rules == rules and skew <= STARTER_CLOCK_SKEW

    def _rules(self) -> int:
        """The rules this run follows: the latest, or those its state carries (1 if none)."""
        if self._lean:
            return RULES
        if not self._fidelity_rules():
            return 1
        if not self._legal_deadlines():
            return 2
        return RULES if self._data_collection() else 3

    async def _load_calendar(self) -> None:
        """On rules 3, load the work calendar when the process has none or lacks a year."""
        state = self._state
        if state.rules < 3:
            return
        today = local_date(workflow.now())
        years = calendar_years_to_load(state.calendar, state.calendar_checked_on, today)
        if years is None:
            return
        state.calendar = await workflow.execute_local_activity(
            load_work_calendar,
            CalendarRequest(
                first_year=years[0], last_year=years[1], additions=state.policy.calendar
            ),
            start_to_close_timeout=CALENDAR_TIMEOUT,
        )
        state.calendar_checked_on = today

    def _lean_run(self) -> bool:
        """Whether this run has every patch before release 6 without recording them."""
        return workflow.patched(LEAN_RUN)

    def _data_collection(self) -> bool:
        """Whether this run opens a data task as each data period ends (rules 4)."""
        return workflow.patched(DATA_COLLECTION)

    def _project_name_attribute(self) -> bool:
        """Whether this run sets QisProjectName (release 4)."""
        return workflow.patched(PROJECT_NAME_ATTRIBUTE)

    def _legal_deadlines(self) -> bool:
        """Whether this run counts deadlines as the law does (rules 3)."""
        return workflow.patched(LEGAL_DEADLINES)

    def _fidelity_rules(self) -> bool:
        """Whether this run follows the latest rules (release 3) or keeps those it carries."""
        return workflow.patched(FIDELITY_RULES)

    def _one_transaction_step(self) -> bool:
        """Whether this run writes a step in one activity (release 2) or one per effect."""
        return self._lean or workflow.patched(ONE_TRANSACTION_STEP)

    async def _drain(self) -> None:
        """Write queued effects and the read-model row, then publish the state where it changed."""
        while self._effects or self._dirty:
            # Search attributes and details first: they need no I/O, so ops see the change
            # at once even while the database is down and the records wait.
            self._dirty = False
            self._publish()
            if self._one_transaction_step():
                effects = list(self._effects)
                self._effects.clear()
                step = StepInput.of(self._state.project_id, effects, project_row(self._state))
                await self._activity(StoreActivities.apply_step, step)
                continue
            while self._effects:
                await self._run_effect(self._effects.popleft())
            await self._activity(
                StoreActivities.sync_project, SyncProjectInput(row=project_row(self._state))
            )

    async def _run_effect(self, effect: Effect) -> None:
        pid = self._state.project_id
        match effect:
            case RecordDecision():
                await self._activity(
                    StoreActivities.record_decision,
                    RecordDecisionInput(project_id=pid, record=effect),
                )
            case GrantName():
                await self._activity(
                    StoreActivities.grant_name, GrantNameInput(project_id=pid, grant=effect)
                )
            case EndName():
                await self._activity(
                    StoreActivities.end_name, EndNameInput(project_id=pid, end=effect)
                )
            case Notify():
                await self._activity(
                    StoreActivities.notify, NotifyInput(project_id=pid, notify=effect)
                )
            case OweData() | RecordData():
                # Data came after this path's release: no recorded history of it holds one.
                step = StepInput.of(pid, [effect], project_row(self._state))
                await self._activity(StoreActivities.apply_step, step)

    async def _activity(
        self, method: Callable[[StoreActivities, In], Awaitable[None]], arg: In
    ) -> None:
        try:
            await workflow.execute_activity_method(
                method,
                arg,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
        except ActivityError as err:
            # The store retries every failure without limit, so this is reached only if that
            # policy is ever changed: fail the workflow task (retried, visible in the UI)
            # rather than the process, which must outlive any bug in its records.
            raise RuntimeError(f"activity failed permanently: {err.cause}") from err

    def _publish(self) -> None:
        """Search attributes and the UI's current details, kept current at every change."""
        state = self._state
        deadline = state.next_deadline
        wanted = sa.values(state, name=self._name_attribute)
        if self._lean:
            # Only what changed: the start set them, and a continued run keeps them.
            now = workflow.info().typed_search_attributes
            wanted = [(key, value) for key, value in wanted if now.get(key) != value]
        updates: list[SearchAttributeUpdate] = [  # type: ignore[type-arg]
            key.value_unset() if value is None else key.value_set(value) for key, value in wanted
        ]
        if updates:
            workflow.upsert_search_attributes(updates)
        due = local_date(deadline).isoformat() if deadline else "无"
        tasks = "、".join(f"{t.kind.label}（{t.role.label}）" for t in state.tasks) or "无"
        workflow.set_current_details(
            f"**{state.display_name}**\n\n"
            f"- 阶段：{state.stage.label}（{state.level.label}）\n"
            f"- 下一期限：{due}\n"
            f"- 待办：{tasks}\n"
            f"- 实施单位：{state.spec.unit.name}"
        )
