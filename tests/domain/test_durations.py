"""ISO-8601 durations on the Shanghai calendar (docs/api-guide.md policy file, docs/regulation.md)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.durations import DurationError, add_duration, local_date, next_after, start_of_day
from tests.domain.conftest import shanghai_midnight, utc


def test_three_years_from_2024_05_10() -> None:
    assert add_duration(shanghai_midnight(2024, 5, 10), "P3Y") == shanghai_midnight(2027, 5, 10)


def test_three_years_from_a_leap_day_clamps_to_february_28() -> None:
    assert add_duration(shanghai_midnight(2024, 2, 29), "P3Y") == shanghai_midnight(2027, 2, 28)


def test_six_months_from_august_31_lands_on_leap_day() -> None:
    assert add_duration(shanghai_midnight(2027, 8, 31), "P6M") == shanghai_midnight(2028, 2, 29)


def test_twelve_years_from_a_leap_day_counts_from_the_anchor_without_drift() -> None:
    anchor = shanghai_midnight(2024, 2, 29)
    assert add_duration(anchor, "P3Y", 4) == shanghai_midnight(2036, 2, 29)
    assert add_duration(anchor, "P12Y") == shanghai_midnight(2036, 2, 29)


def test_negative_times_subtracts() -> None:
    assert add_duration(shanghai_midnight(2027, 5, 10), "P3Y", -1) == shanghai_midnight(2024, 5, 10)
    assert add_duration(shanghai_midnight(2024, 5, 10), "P30D", -1) == shanghai_midnight(
        2024, 4, 10
    )
    assert add_duration(shanghai_midnight(2024, 3, 31), "P1M", -1) == shanghai_midnight(2024, 2, 29)


def test_time_parts_are_exact() -> None:
    start = utc(2024, 5, 10, 23, 55)
    assert add_duration(start, "PT10M") == start + timedelta(minutes=10)
    assert add_duration(start, "PT1H30M15S") == start + timedelta(hours=1, minutes=30, seconds=15)
    assert add_duration(start, "PT10M", -1) == start - timedelta(minutes=10)


def test_days_and_weeks_are_calendar_days_keeping_the_time_of_day() -> None:
    start = utc(2024, 5, 10, 2, 30)
    assert add_duration(start, "P30D") == utc(2024, 6, 9, 2, 30)
    assert add_duration(start, "P2W") == utc(2024, 5, 24, 2, 30)
    assert add_duration(start, "P1DT2H") == utc(2024, 5, 11, 4, 30)


def test_result_is_utc() -> None:
    assert add_duration(utc(2024, 5, 10), "P1D").utcoffset() == timedelta(0)


def test_moment_near_midnight_utc_is_counted_on_its_shanghai_date() -> None:
    # 2024-05-09T16:30Z is 2024-05-10 00:30 in Shanghai.
    moment = utc(2024, 5, 9, 16, 30)
    assert local_date(moment) == date(2024, 5, 10)
    assert local_date(add_duration(moment, "P3Y")) == date(2027, 5, 10)
    # 2024-02-28T16:30Z is 2024-02-29 00:30 in Shanghai: one year later is 2025-02-28 00:30
    # there (a UTC calendar would have said 2025-02-28T16:30Z, i.e. 2025-03-01 in Shanghai).
    assert add_duration(utc(2024, 2, 28, 16, 30), "P1Y") == utc(2025, 2, 27, 16, 30)
    # 2024-01-30T16:30Z is 2024-01-31 in Shanghai: one month later clamps to 2024-02-29.
    assert add_duration(utc(2024, 1, 30, 16, 30), "P1M") == utc(2024, 2, 28, 16, 30)


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_duration(datetime(2024, 5, 10), "P1D")


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "3Y", "P0D", "P1.5Y", "P1YT", "PT0S", "p3y", "-P3Y"]
)
def test_invalid_texts_raise_duration_error(text: str) -> None:
    with pytest.raises(DurationError):
        add_duration(utc(2024, 5, 10), text)


def test_trailing_newline_is_not_a_duration() -> None:
    with pytest.raises(DurationError):
        add_duration(utc(2024, 5, 10), "P3Y\n")


def test_start_of_day_and_local_date_use_shanghai() -> None:
    assert start_of_day(date(2024, 5, 10)) == datetime(2024, 5, 9, 16, tzinfo=UTC)
    assert local_date(utc(2024, 5, 9, 15, 59)) == date(2024, 5, 9)
    assert local_date(utc(2024, 5, 9, 16, 0)) == date(2024, 5, 10)


def test_next_after_is_strictly_later() -> None:
    anchor = shanghai_midnight(2024, 5, 10)
    assert next_after(anchor, "P1Y", shanghai_midnight(2025, 5, 10)) == shanghai_midnight(
        2026, 5, 10
    )
    assert next_after(anchor, "P1Y", shanghai_midnight(2025, 5, 10) - timedelta(seconds=1)) == (
        shanghai_midnight(2025, 5, 10)
    )


def test_next_after_never_returns_the_anchor_itself() -> None:
    anchor = shanghai_midnight(2024, 5, 10)
    assert next_after(anchor, "P1Y", anchor - timedelta(days=400)) == shanghai_midnight(2025, 5, 10)


def test_next_after_counts_from_the_anchor() -> None:
    anchor = shanghai_midnight(2024, 2, 29)
    assert next_after(anchor, "P3Y", shanghai_midnight(2033, 3, 1)) == shanghai_midnight(
        2036, 2, 29
    )


@given(
    anchor=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)),
    period=st.sampled_from(["P1Y", "P3Y", "P6M", "P1M", "P30D", "P1W", "PT10M", "P1MT1H"]),
)
def test_next_after_is_the_first_anchor_multiple_after(
    anchor: datetime, gap: timedelta, period: str
) -> None:
    after = anchor + gap if period != "PT10M" else anchor + gap / 1000
    found = next_after(anchor, period, after)
    assert found > after
    k = next(k for k in range(1, 100_000) if add_duration(anchor, period, k) == found)
    assert k == 1 or add_duration(anchor, period, k - 1) <= after


def test_next_after_does_not_step_through_every_period(monkeypatch: pytest.MonkeyPatch) -> None:
    # A demo policy (PT10M) and a project named years ago (an import): stepping k = 1, 2, …
    # takes ~470,000 additions, seconds of CPU inside a workflow task.
    calls = 0

    def counted(moment: datetime, duration: str, times: int = 1) -> datetime:
        nonlocal calls
        calls += 1
        if calls > 1000:
            raise AssertionError("next_after stepped through more than 1000 periods")
        return add_duration(moment, duration, times)

    monkeypatch.setattr("domain.durations.add_duration", counted)
    anchor = shanghai_midnight(2015, 1, 1)
    assert next_after(anchor, "PT10M", utc(2024, 5, 10, 0, 5)) == utc(2024, 5, 10, 0, 10)
