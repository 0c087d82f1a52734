"""Importing already named projects: names on their dates, timers counted from them (docs/api-guide.md).

On the first rules (`rules=1`, processes started before issue #7) an evaluation that fell due
before the import is skipped; rules 2 open it at once: tests/domain/test_fidelity_imports.py.
"""

from datetime import date, timedelta

from domain.actors import Role
from domain.decisions import EvaluateDistrict, ReviewMunicipal
from domain.durations import start_of_day
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.project import ImportedNaming
from domain.stages import Level, Stage
from domain.state import TaskKind
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    DISTRICT_NAME,
    MUNICIPAL_BUREAU,
    MUNICIPAL_NAME,
    PROJECT_ID,
    decide,
    grants,
    make_spec,
    scores,
    shanghai_midnight,
    utc,
)

IMPORTED_AT = utc(2024, 5, 10, 2)


def test_district_import_grants_the_district_name_on_its_date() -> None:
    imported = ImportedNaming(district_named_on=date(2022, 3, 15))
    state, effects = new_state(PROJECT_ID, make_spec(), Policy(), IMPORTED_AT, imported, rules=1)
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    [grant] = grants(effects)
    assert grant.name.name == DISTRICT_NAME
    assert grant.name.granted_on == date(2022, 3, 15)
    assert grant.name.granted_at == start_of_day(date(2022, 3, 15))
    assert grant.name.granted_by is Role.DISTRICT_BUREAU
    assert state.names == [grant.name]
    assert state.district_named_on == date(2022, 3, 15)
    assert state.registered_at == IMPORTED_AT
    assert [h.event for h in state.history] == ["import"]


def test_district_import_evaluates_on_the_first_anniversary_after_the_import() -> None:
    imported = ImportedNaming(district_named_on=date(2022, 3, 15))
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), IMPORTED_AT, imported, rules=1)
    # 2023-03-15 and 2024-03-15 are past: the next is 2025-03-15.
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 3, 15)
    assert next_wakeup(state) == shanghai_midnight(2025, 3, 15)
    assert advance_time(state, IMPORTED_AT) == []
    assert state.tasks == []


def test_district_import_uses_the_per_district_interval() -> None:
    imported = ImportedNaming(district_named_on=date(2022, 3, 15))
    policy = Policy(district_evaluation_intervals={"310115": "P6M"})
    state, _ = new_state(PROJECT_ID, make_spec(), policy, IMPORTED_AT, imported, rules=1)
    assert state.next_district_evaluation_at == shanghai_midnight(2024, 9, 15)


def test_import_exactly_on_an_anniversary_waits_for_the_next_one() -> None:
    imported = ImportedNaming(district_named_on=date(2022, 3, 15))
    now = shanghai_midnight(2024, 3, 15)
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), now, imported, rules=1)
    assert state.next_district_evaluation_at == shanghai_midnight(2025, 3, 15)


def test_imported_district_evaluation_keeps_the_naming_anchor() -> None:
    imported = ImportedNaming(district_named_on=date(2022, 3, 15))
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), IMPORTED_AT, imported, rules=1)
    advance_time(state, shanghai_midnight(2025, 3, 15))
    decide(state, DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2025, 4, 2))
    assert state.next_district_evaluation_at == shanghai_midnight(2026, 3, 15)


def test_municipal_import_grants_both_names_on_their_dates() -> None:
    imported = ImportedNaming(
        district_named_on=date(2019, 11, 1), municipal_named_on=date(2020, 3, 1)
    )
    state, effects = new_state(PROJECT_ID, make_spec(), Policy(), IMPORTED_AT, imported, rules=1)
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.level is Level.MUNICIPAL
    district, municipal = (g.name for g in grants(effects))
    assert (district.level, district.name, district.granted_on) == (
        Level.DISTRICT,
        DISTRICT_NAME,
        date(2019, 11, 1),
    )
    assert (municipal.level, municipal.name, municipal.granted_on) == (
        Level.MUNICIPAL,
        MUNICIPAL_NAME,
        date(2020, 3, 1),
    )
    assert municipal.granted_by is Role.MUNICIPAL_BUREAU
    assert state.names == [district, municipal]
    assert state.municipal_named_on == date(2020, 3, 1)
    assert district.key != municipal.key


def test_municipal_import_reviews_on_the_first_three_year_date_after_the_import() -> None:
    imported = ImportedNaming(
        district_named_on=date(2019, 11, 1), municipal_named_on=date(2020, 3, 1)
    )
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), IMPORTED_AT, imported, rules=1)
    # 2023-03-01 is past: the next 3-year date is 2026-03-01; district evaluations pause.
    assert state.next_municipal_review_at == shanghai_midnight(2026, 3, 1)
    assert state.next_district_evaluation_at is None
    assert next_wakeup(state) == shanghai_midnight(2026, 3, 1)
    advance_time(state, shanghai_midnight(2026, 3, 1))
    task = state.task(TaskKind.MUNICIPAL_REVIEW)
    assert task is not None
    assert task.opened_at == shanghai_midnight(2026, 3, 1)
    assert state.task(TaskKind.DISTRICT_EVALUATION) is None


def test_imported_municipal_review_keeps_the_naming_anchor() -> None:
    imported = ImportedNaming(
        district_named_on=date(2019, 11, 1), municipal_named_on=date(2020, 3, 1)
    )
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), IMPORTED_AT, imported, rules=1)
    advance_time(state, shanghai_midnight(2026, 3, 1) + timedelta(days=3))
    decide(state, MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2026, 3, 20))
    assert state.next_municipal_review_at == shanghai_midnight(2029, 3, 1)
