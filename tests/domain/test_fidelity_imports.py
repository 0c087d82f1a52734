"""Imports that are behind (docs/regulation.md, rules 2): an evaluation that fell due before the import
opens its task at once, unless the import says it was done since that due date."""

from datetime import date, datetime

from domain.decisions import EvaluateDistrict, ReviewMunicipal
from domain.effects import Effect
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.project import ImportedNaming
from domain.stages import Stage
from domain.state import ProjectState, TaskKind
from domain.timers import next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    DISTRICT_RECIPIENT,
    MUNICIPAL_BUREAU,
    MUNICIPAL_RECIPIENT,
    PROJECT_ID,
    decide,
    grants,
    make_spec,
    notifications,
    scores,
    shanghai_midnight,
    utc,
)

IMPORTED_AT = utc(2024, 5, 10, 2)  # 2024-05-10 10:00 in Shanghai


def imported(
    policy: Policy | None = None,
    rules: int = 2,
    at: datetime = IMPORTED_AT,
    **naming: date,
) -> tuple[ProjectState, list[Effect]]:
    naming_ = ImportedNaming.model_validate(naming)
    return new_state(PROJECT_ID, make_spec(), policy or Policy(), at, naming_, rules=rules)


def test_a_district_evaluation_due_before_the_import_opens_at_once() -> None:
    state, effects = imported(district_named_on=date(2020, 1, 10))
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert (task.opened_at, task.due_at) == (IMPORTED_AT, utc(2024, 6, 9, 2))
    assert task.reminder_at == utc(2024, 6, 2, 2)
    assert state.next_district_evaluation_at is None
    assert len(grants(effects)) == 1
    [notice] = notifications(effects)
    assert notice.recipients == [DISTRICT_RECIPIENT]
    assert "2024-01-10" in notice.body
    assert "2024-06-09" in notice.body
    assert [e.event for e in state.history] == ["import", "due:district_evaluation"]
    assert next_wakeup(state) == utc(2024, 6, 2, 2)
    # The cadence keeps counting from the naming anchor.
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2024, 5, 20))
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 1, 10)


def test_not_opened_when_the_import_says_it_was_evaluated_since() -> None:
    for last in (date(2024, 1, 10), date(2024, 3, 1)):
        state, effects = imported(
            district_named_on=date(2020, 1, 10), district_last_evaluated_on=last
        )
        assert state.tasks == []
        assert notifications(effects) == []
        assert state.next_district_evaluation_at == shanghai_midnight(2025, 1, 10)


def test_opened_when_the_last_evaluation_was_before_the_due_date() -> None:
    state, _ = imported(
        district_named_on=date(2020, 1, 10), district_last_evaluated_on=date(2023, 12, 1)
    )
    assert state.task(TaskKind.DISTRICT_EVALUATION) is not None


def test_not_opened_when_nothing_fell_due_yet() -> None:
    state, effects = imported(district_named_on=date(2023, 12, 1))
    assert state.tasks == []
    assert notifications(effects) == []
    assert state.next_district_evaluation_at == shanghai_midnight(2024, 12, 1)


def test_the_three_year_review_due_before_the_import_opens_at_once() -> None:
    state, effects = imported(
        district_named_on=date(2019, 1, 10), municipal_named_on=date(2021, 3, 1)
    )
    assert state.stage is Stage.MUNICIPAL_NAMED
    task = state.task(TaskKind.MUNICIPAL_REVIEW)
    assert task is not None
    assert task.opened_at == IMPORTED_AT
    assert state.task(TaskKind.DISTRICT_EVALUATION) is None
    assert state.next_district_evaluation_at is None
    assert state.next_municipal_review_at is None
    assert [n.recipients for n in notifications(effects)] == [[MUNICIPAL_RECIPIENT]]
    decide(state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2024, 5, 20))
    assert state.next_municipal_review_at == shanghai_midnight(2027, 3, 1)


def test_the_review_not_opened_when_done_since() -> None:
    state, _ = imported(
        district_named_on=date(2019, 1, 10),
        municipal_named_on=date(2021, 3, 1),
        municipal_last_evaluated_on=date(2024, 3, 5),
    )
    assert state.tasks == []
    assert state.next_municipal_review_at == shanghai_midnight(2027, 3, 1)


def test_due_on_the_import_moment_counts_as_behind() -> None:
    at = shanghai_midnight(2025, 1, 10)
    state, _ = imported(at=at, district_named_on=date(2020, 1, 10))
    task = state.task(TaskKind.DISTRICT_EVALUATION)
    assert task is not None
    assert task.opened_at == at


def test_the_missed_date_is_counted_from_the_anchor() -> None:
    # Monthly evaluations from 31 January: the last one before 15 April is 31 March (not 30,
    # as a step back from 30 April would give).
    policy = Policy(district_evaluation_interval="P1M")
    at = utc(2024, 4, 15, 2)
    state, effects = imported(policy, at=at, district_named_on=date(2024, 1, 31))
    [notice] = notifications(effects)
    assert "2024-03-31" in notice.body
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2024, 4, 16))
    assert state.next_district_evaluation_at == shanghai_midnight(2024, 4, 30)


def test_on_the_first_rules_a_missed_evaluation_is_skipped() -> None:
    state, effects = imported(rules=1, district_named_on=date(2020, 1, 10))
    assert state.tasks == []
    assert notifications(effects) == []
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 1, 10)
