"""Benchmark: a century of one project's lifecycle through the pure domain rules.

Prints the time per event, the size of the state that continue-as-new carries (Temporal's
payload limit is 2 MB) and the peak memory. Run: `.venv/bin/python -m benchmarks.lifecycle`.
"""

import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from api.examples import PROJECT
from domain.actors import Actor, Role
from domain.decisions import (
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    DecisionRequest,
    EvaluateMunicipal,
    MunicipalConditions,
    RecommendMunicipal,
    ReportRectification,
    RequestAcceptance,
    ReviewMunicipal,
    ReviewRectification,
    Scores,
)
from domain.lifecycle import apply_decision, new_state
from domain.policy import Policy
from domain.project import ProjectSpec
from domain.state import ProjectState, TaskKind
from domain.timers import advance_time, next_wakeup

YEARS = 100
CODE = "91310115MA1H7XK2BM"
UNIT = Actor(role=Role.UNIT, credit_code=CODE)
DISTRICT = Actor(role=Role.DISTRICT_BUREAU, district="310115")
CITY = Actor(role=Role.MUNICIPAL_BUREAU)
SCORES = Scores(operation=80, capability=80, effectiveness=80)
SPEC = ProjectSpec.model_validate(PROJECT)


def century() -> tuple[ProjectState, int]:
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    state, effects = new_state("bench", SPEC, Policy(municipal_review_interval="P1Y"), now)
    count = len(effects)

    def decide(actor: Actor, decision: Decision) -> None:
        nonlocal count
        count += len(apply_decision(state, DecisionRequest(actor=actor, decision=decision), now))

    def until_task(kind: TaskKind) -> None:
        nonlocal now, count
        while state.task(kind) is None:
            wake = next_wakeup(state)
            assert wake is not None
            now = max(now, wake)
            count += len(advance_time(state, now))

    decide(UNIT, RequestAcceptance())
    decide(DISTRICT, DecideAcceptance(passed=True))
    decide(
        UNIT,
        ApplyMunicipal(
            conditions=MunicipalConditions(
                governance=True,
                steady_service=True,
                leading_capability=True,
                replicable_practice=True,
            )
        ),
    )
    decide(DISTRICT, RecommendMunicipal(recommend=True))
    decide(CITY, EvaluateMunicipal(passed=True, scores=SCORES))
    for year in range(YEARS):
        until_task(TaskKind.MUNICIPAL_REVIEW)
        now += timedelta(days=25)  # decided after the reminder has fired
        count += len(advance_time(state, now))
        decide(CITY, ReviewMunicipal(passed=year % 2 == 0, scores=SCORES))
        if year % 2:
            decide(UNIT, ReportRectification(report="整改报告" * 50))
            decide(CITY, ReviewRectification(passed=True))
    return state, count


def main() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    state, effects = century()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    carried = len(state.model_dump_json().encode())
    print(f"years simulated            {YEARS}")
    print(f"history entries            {len(state.history)}")
    print(f"effects produced           {effects}")
    print(
        f"time                       {elapsed * 1000:.1f} ms "
        f"({elapsed / len(state.history) * 1e6:.0f} µs per event)"
    )
    print(f"state carried by CAN       {carried / 1024:.1f} KiB (limit 2048 KiB)")
    print(f"peak Python memory         {peak / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
