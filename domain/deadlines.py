"""Deadlines someone must meet, counted as Chinese law counts periods (docs/regulation.md).

民法典 第二百零一条–第二百零三条: a period in days, months or years starts counting the day after
it begins, so its last day is the Shanghai date of `start + period` (the calendar arithmetic of
domain/durations.py, month ends clamped); it ends at 24:00 of that day, i.e. 00:00 of the next
day; and a last day that is a statutory holiday or a rest day moves to the first working day
after it, make-up working days (调休) counting as working days.

Only deadlines move: a decision's due date, the rectification deadline, a data or report due
date. A date on which a task opens (the 3-year review, the district evaluation) is not a deadline
and is not computed here. A period written with a time part (PT10M, P1DT2H: demo and training
policies) stays exact: no 24:00, no rolling.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.durations import add_duration, local_date, start_of_day
from domain.workdays import WorkCalendar


class DeadlineReason(StrEnum):
    """Which rule set a deadline's end."""

    ON_TIME = "on_time"  # the last day is a working day: 按期届满
    HOLIDAY = "holiday"  # moved over a statutory holiday: 法定节假日顺延（春节）
    REST_DAY = "rest_day"  # moved over weekend days only: 周末顺延
    EXACT = "exact"  # a period with a time part: 按时计算，不顺延


class Deadline(BaseModel):
    """When a deadline ends, and why then."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due: AwareDatetime
    """The instant it ends (UTC): 24:00 Shanghai of `last_day`, or the exact instant (EXACT)."""
    last_day: date
    """The Shanghai date it ends on (after moving)."""
    nominal_last_day: date
    """The Shanghai date the period itself ends on (before moving)."""
    reason: DeadlineReason
    holiday: str | None = None
    """The holiday it moved over (HOLIDAY): the first one met."""
    uncovered_year: int | None = None
    """A year of the days looked at whose holidays the calendar lacks: weekends only counted."""

    @property
    def moved(self) -> bool:
        """Whether the last day moved to a later working day."""
        return self.last_day != self.nominal_last_day

    @property
    def label(self) -> str:
        """The rule in Chinese, for the project view (e.g. 法定节假日顺延（春节）)."""
        match self.reason:
            case DeadlineReason.HOLIDAY:
                text = f"法定节假日顺延（{self.holiday}）"
            case DeadlineReason.REST_DAY:
                text = "周末顺延"
            case DeadlineReason.ON_TIME:
                text = "按期届满"
            case DeadlineReason.EXACT:
                text = "按时计算，不顺延"
        if self.uncovered_year is not None:
            text += f"（{self.uncovered_year}年节假日安排尚未收录，仅按周末计算）"
        return text


def has_time_part(period: str) -> bool:
    """Whether an ISO-8601 duration has a time part (PT…, P1DT2H): such periods stay exact."""
    return "T" in period


def legal_deadline(start: datetime, period: str, calendar: WorkCalendar) -> Deadline:
    """The deadline of `period` counted from `start` (an aware instant) on `calendar`."""
    plain_end = add_duration(start, period)  # validates `period` and `start`
    nominal = local_date(plain_end)
    if has_time_part(period):
        return Deadline(
            due=plain_end, last_day=nominal, nominal_last_day=nominal, reason=DeadlineReason.EXACT
        )
    last_day = calendar.next_working_day(nominal)
    skipped = [nominal + timedelta(days=n) for n in range((last_day - nominal).days)]
    holidays = [name for day in skipped if (name := calendar.holiday(day)) is not None]
    if holidays:
        reason = DeadlineReason.HOLIDAY
    elif skipped:
        reason = DeadlineReason.REST_DAY
    else:
        reason = DeadlineReason.ON_TIME
    uncovered = [d.year for d in (*skipped, last_day) if not calendar.covered(d.year)]
    return Deadline(
        due=start_of_day(last_day + timedelta(days=1)),
        last_day=last_day,
        nominal_last_day=nominal,
        reason=reason,
        holiday=holidays[0] if holidays else None,
        uncovered_year=uncovered[0] if uncovered else None,
    )


CALENDAR_RECHECK = timedelta(days=30)
"""How often a process asks again for a year the calendar does not cover yet."""
CALENDAR_YEARS_AHEAD = 2
"""Years after the current one a process loads (a deadline runs at most months ahead)."""


def calendar_years_to_load(
    calendar: WorkCalendar | None, checked_on: date | None, today: date
) -> tuple[int, int] | None:
    """The years (first, last) a process should load its work calendar for today, or None.

    It loads when it has none; and when this year or the next is not covered (the State Council
    publishes a year's schedule late in the year before), at most every CALENDAR_RECHECK, so a
    process that lives for years picks up each new schedule once the package or the policy has it.
    """
    years = (today.year, today.year + CALENDAR_YEARS_AHEAD)
    if calendar is None or checked_on is None:
        return years
    if calendar.covered(today.year) and calendar.covered(today.year + 1):
        return None
    if today - checked_on < CALENDAR_RECHECK:
        return None
    return years
