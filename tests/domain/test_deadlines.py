"""Legal deadlines: 24:00 of the last day, moved over holidays and rest days (docs/regulation.md).

The 2026 dates are the State Council's schedule as the chinese-calendar package has it:
春节 rest days 2026-02-15..23 with make-up Saturdays 02-14 and 02-28; 国庆节 2026-10-01..07 with
make-up days 09-20 (Sunday) and 10-10 (Saturday). Dates for 2027 below are invented for tests.
"""

import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.deadlines import Deadline, DeadlineReason, legal_deadline
from domain.durations import DurationError, add_duration, local_date, start_of_day
from domain.workdays import CalendarAdditions, WorkCalendar, calendar_from_tables, package_calendar
from tests.domain.conftest import shanghai_midnight, utc

CALENDAR = package_calendar(2004, 2030)


def deadline(start: datetime, period: str = "P30D", calendar: WorkCalendar = CALENDAR) -> Deadline:
    return legal_deadline(start, period, calendar)


# --- the package's data ------------------------------------------------------------------------


def test_package_covers_its_published_years_only() -> None:
    calendar = package_calendar(2000, 2030)
    assert not calendar.covered(2003)
    assert calendar.covered(2004)
    assert calendar.covered(2026)
    assert not calendar.covered(2027)
    assert all(d.year in range(2004, 2027) for d in (*calendar.holidays, *calendar.working_days))


def test_package_calendar_keeps_only_the_years_asked_for() -> None:
    calendar = package_calendar(2025, 2026)
    assert calendar.covered_years == (2025, 2026)
    assert {d.year for d in calendar.holidays} == {2025, 2026}


def test_package_holidays_carry_chinese_names() -> None:
    assert CALENDAR.holiday(date(2026, 2, 17)) == "春节"
    assert CALENDAR.holiday(date(2026, 10, 3)) == "国庆节"
    assert CALENDAR.holiday(date(2026, 4, 5)) == "清明节"
    assert CALENDAR.holiday(date(2026, 3, 7)) is None  # an ordinary Saturday
    assert CALENDAR.working_days[date(2026, 2, 28)] == "春节"


def test_working_days_in_2026() -> None:
    assert not CALENDAR.is_working_day(date(2026, 2, 16))  # 春节, a Monday
    assert CALENDAR.is_working_day(date(2026, 2, 14))  # make-up Saturday
    assert CALENDAR.is_working_day(date(2026, 9, 20))  # make-up Sunday
    assert not CALENDAR.is_working_day(date(2026, 3, 7))  # ordinary Saturday
    assert CALENDAR.is_working_day(date(2026, 3, 9))  # ordinary Monday


def test_tables_are_cut_to_the_years_with_data() -> None:
    calendar = calendar_from_tables(
        {date(2030, 1, 1): "元旦", date(2031, 1, 1): "元旦"}, {}, 2029, 2032, range(2030, 2031)
    )
    assert calendar.covered_years == (2030,)
    assert calendar.holidays == {date(2030, 1, 1): "元旦"}


def test_calendar_round_trips_through_json_in_a_stable_order() -> None:
    calendar = package_calendar(2025, 2026)
    assert WorkCalendar.model_validate_json(calendar.model_dump_json()) == calendar
    shuffled = WorkCalendar(
        holidays=dict(reversed(calendar.holidays.items())),
        working_days=dict(reversed(calendar.working_days.items())),
        covered_years=(2026, 2025),
    )
    assert shuffled.model_dump_json() == calendar.model_dump_json()


def test_the_domain_modules_do_not_load_the_holiday_package() -> None:
    code = "import sys, domain.deadlines, domain.workdays; print('chinese_calendar' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- 24:00 of the last day ---------------------------------------------------------------------


def test_deadline_ends_at_24_00_shanghai_of_its_last_day() -> None:
    # Requested 2024-05-13 10:00 Shanghai; 30 days counted from the next day end on 2024-06-12.
    result = deadline(utc(2024, 5, 13, 2))
    assert result.nominal_last_day == result.last_day == date(2024, 6, 12)
    assert result.due == shanghai_midnight(2024, 6, 13) == utc(2024, 6, 12, 16)
    assert result.reason is DeadlineReason.ON_TIME
    assert result.label == "按期届满"
    assert not result.moved
    assert result.uncovered_year is None


def test_a_late_evening_start_still_ends_at_24_00() -> None:
    # 2024-05-13 23:30 Shanghai is 15:30 UTC: the Shanghai date is what counts.
    assert deadline(utc(2024, 5, 13, 15, 30)).due == shanghai_midnight(2024, 6, 13)


def test_months_use_the_clamped_calendar_arithmetic() -> None:
    # 2025-08-31 + 6 months = 2026-02-28 (clamped), itself a make-up Saturday: no move.
    result = deadline(utc(2025, 8, 31, 2), "P6M")
    assert result.last_day == date(2026, 2, 28)
    assert result.due == shanghai_midnight(2026, 3, 1)


# --- moving over holidays and rest days --------------------------------------------------------


def test_a_last_day_in_the_spring_festival_moves_to_the_first_working_day_after_it() -> None:
    result = deadline(utc(2026, 1, 18, 2))
    assert result.nominal_last_day == date(2026, 2, 17)
    assert result.last_day == date(2026, 2, 24)
    assert result.due == shanghai_midnight(2026, 2, 25)
    assert result.reason is DeadlineReason.HOLIDAY
    assert result.holiday == "春节"
    assert result.label == "法定节假日顺延（春节）"
    assert result.moved


def test_a_weekend_day_inside_the_holiday_break_is_named_after_the_holiday() -> None:
    result = deadline(utc(2026, 1, 22, 2))
    assert result.nominal_last_day == date(2026, 2, 21)  # a Saturday in the 春节 break
    assert result.last_day == date(2026, 2, 24)
    assert result.label == "法定节假日顺延（春节）"


@pytest.mark.parametrize(
    ("start", "make_up_day"),
    [(utc(2026, 1, 29, 2), date(2026, 2, 28)), (utc(2026, 1, 15, 2), date(2026, 2, 14))],
)
def test_a_last_day_on_a_make_up_saturday_does_not_move(start: datetime, make_up_day: date) -> None:
    result = deadline(start)
    assert result.last_day == result.nominal_last_day == make_up_day
    assert result.due == start_of_day(make_up_day + timedelta(days=1))
    assert result.reason is DeadlineReason.ON_TIME


def test_a_last_day_on_an_ordinary_saturday_moves_to_monday() -> None:
    result = deadline(utc(2026, 2, 5, 2))
    assert result.nominal_last_day == date(2026, 3, 7)
    assert result.last_day == date(2026, 3, 9)
    assert result.due == shanghai_midnight(2026, 3, 10)
    assert result.reason is DeadlineReason.REST_DAY
    assert result.holiday is None
    assert result.label == "周末顺延"


def test_a_rectification_deadline_in_the_national_day_break_moves_past_it() -> None:
    result = deadline(utc(2026, 4, 3, 2), "P6M")
    assert result.nominal_last_day == date(2026, 10, 3)
    assert result.last_day == date(2026, 10, 8)
    assert result.due == shanghai_midnight(2026, 10, 9)
    assert result.label == "法定节假日顺延（国庆节）"


def test_a_last_day_on_the_national_day_make_up_sunday_does_not_move() -> None:
    result = deadline(utc(2026, 8, 21, 2))
    assert result.last_day == result.nominal_last_day == date(2026, 9, 20)
    assert result.reason is DeadlineReason.ON_TIME


# --- years without data, and the policy's dates ------------------------------------------------


def test_a_year_without_data_counts_weekends_only() -> None:
    assert not CALENDAR.covered(2027)
    saturday = deadline(utc(2027, 1, 7, 2))  # ends 2027-02-06, a Saturday
    assert saturday.nominal_last_day == date(2027, 2, 6)
    assert saturday.last_day == date(2027, 2, 8)
    assert saturday.reason is DeadlineReason.REST_DAY
    assert saturday.uncovered_year == 2027
    assert saturday.label == "周末顺延（2027年节假日安排尚未收录，仅按周末计算）"
    monday = deadline(utc(2027, 1, 9, 2))  # ends Monday 2027-02-08, whatever the holidays
    assert monday.last_day == date(2027, 2, 8)
    assert monday.reason is DeadlineReason.ON_TIME
    assert monday.uncovered_year == 2027


INVENTED_2027 = CalendarAdditions(
    holidays={date(2027, 2, 5) + timedelta(days=n): "春节" for n in range(7)},
    working_days=(date(2027, 2, 20),),
    covered_years=(2027,),
)


def test_the_policy_adds_holidays_and_working_days_for_a_later_year() -> None:
    calendar = CALENDAR.with_additions(INVENTED_2027)
    assert calendar.covered(2027)
    moved = deadline(utc(2027, 1, 9, 2), calendar=calendar)  # ends 2027-02-08
    assert moved.last_day == date(2027, 2, 12)
    assert moved.label == "法定节假日顺延（春节）"
    assert moved.uncovered_year is None
    make_up = deadline(utc(2027, 1, 21, 2), calendar=calendar)  # ends Saturday 2027-02-20
    assert make_up.last_day == date(2027, 2, 20)
    assert make_up.reason is DeadlineReason.ON_TIME


def test_policy_dates_replace_the_packages() -> None:
    additions = CalendarAdditions(
        holidays={date(2026, 2, 28): "临时调整"}, working_days=(date(2026, 2, 23),)
    )
    calendar = CALENDAR.with_additions(additions)
    assert calendar.is_working_day(date(2026, 2, 23))
    assert not calendar.is_working_day(date(2026, 2, 28))
    assert deadline(utc(2026, 1, 18, 2), calendar=calendar).last_day == date(2026, 2, 23)
    moved = deadline(utc(2026, 1, 29, 2), calendar=calendar)  # ends 2026-02-28
    assert moved.last_day == date(2026, 3, 2)
    assert moved.label == "法定节假日顺延（临时调整）"


def test_policy_dates_read_from_toml() -> None:
    text = """
    [calendar]
    covered_years = [2027]
    working_days = [2027-02-20]
    [calendar.holidays]
    2027-02-08 = "春节"
    """
    additions = CalendarAdditions.model_validate(tomllib.loads(text)["calendar"])
    assert additions.holidays == {date(2027, 2, 8): "春节"}
    assert additions.working_days == (date(2027, 2, 20),)
    assert additions.covered_years == (2027,)


def test_a_policy_day_cannot_be_both_a_holiday_and_a_working_day() -> None:
    with pytest.raises(ValidationError, match="既是节假日又是工作日"):
        CalendarAdditions(holidays={date(2027, 2, 8): "春节"}, working_days=(date(2027, 2, 8),))


def test_a_policy_holiday_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="须写明名称"):
        CalendarAdditions(holidays={date(2027, 2, 8): " "})


def test_an_endless_run_of_holidays_is_refused() -> None:
    endless = WorkCalendar(
        holidays={date(2030, 1, 1) + timedelta(days=n): "假" for n in range(400)}
    )
    with pytest.raises(ValueError, match="没有工作日"):
        deadline(utc(2029, 12, 2, 2), calendar=endless)


# --- exact periods and bad input ---------------------------------------------------------------


@pytest.mark.parametrize("period", ["PT10M", "PT1H", "P1DT2H"])
def test_periods_with_a_time_part_stay_exact(period: str) -> None:
    start = utc(2026, 2, 15, 2)  # inside the 春节 break
    result = deadline(start, period)
    assert result.due == add_duration(start, period)
    assert result.reason is DeadlineReason.EXACT
    assert result.label == "按时计算，不顺延"
    assert not result.moved


def test_bad_periods_and_naive_starts_are_refused() -> None:
    with pytest.raises(DurationError):
        deadline(utc(2026, 1, 1), "30 days")
    with pytest.raises(ValueError, match="aware"):
        deadline(datetime(2026, 1, 1, 10), "P30D")


# --- properties --------------------------------------------------------------------------------

STARTS = st.datetimes(
    min_value=datetime(2003, 6, 1), max_value=datetime(2029, 6, 1), timezones=st.just(UTC)
)
PERIODS = st.one_of(
    st.integers(1, 400).map(lambda n: f"P{n}D"),
    st.integers(1, 30).map(lambda n: f"P{n}M"),
    st.integers(1, 3).map(lambda n: f"P{n}Y"),
    st.integers(1, 8).map(lambda n: f"P{n}W"),
)


def check_properties(start: datetime, period: str, calendar: WorkCalendar) -> None:
    plain_end = add_duration(start, period)
    result = legal_deadline(start, period, calendar)
    assert result.due >= plain_end
    assert result.nominal_last_day == local_date(plain_end)
    assert result.due == start_of_day(result.last_day + timedelta(days=1))
    assert calendar.is_working_day(result.last_day)
    day = result.nominal_last_day
    while day < result.last_day:  # no working day between the plain end's day and the result
        assert not calendar.is_working_day(day)
        day += timedelta(days=1)
    assert (result.reason is DeadlineReason.ON_TIME) == (not result.moved)


@settings(max_examples=300, deadline=None)
@given(start=STARTS, period=PERIODS)
def test_property_the_package_calendar(start: datetime, period: str) -> None:
    check_properties(start, period, CALENDAR)


WINDOW = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31))


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 12, 1), max_value=datetime(2026, 3, 1), timezones=st.just(UTC)
    ),
    days=st.integers(1, 60),
    holidays=st.sets(WINDOW, max_size=40),
    working=st.sets(WINDOW, max_size=10),
)
def test_property_random_policy_dates(
    start: datetime, days: int, holidays: set[date], working: set[date]
) -> None:
    additions = CalendarAdditions(
        holidays=dict.fromkeys(holidays - working, "测试假日"), working_days=tuple(working)
    )
    check_properties(start, f"P{days}D", CALENDAR.with_additions(additions))
