"""Data periods (Art. 9.1): the calendar periods units report their figures for, and their labels.

A period is a calendar year by default (policy `data_period`), labelled "2026"; a policy may use
half years, quarters or months (labelled by their first month, "2026-07"). Periods start at
00:00 Shanghai time on the first day of their first month (docs/regulation.md "Data").
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.durations import add_duration, local_date, start_of_day

# The periods a policy may use: each divides a year, so every period starts in January's year.
PERIOD_MONTHS = {"P1Y": 12, "P6M": 6, "P3M": 3, "P1M": 1}
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """One data period: its label and the instants it starts and ends (exclusive)."""

    label: str
    start: datetime
    end: datetime

    @property
    def last_day(self) -> date:
        """The period's last Shanghai date (31 December for a year)."""
        return local_date(self.end - timedelta(microseconds=1))

    @property
    def last_day_start(self) -> datetime:
        """00:00 of the last day: a due date "one month after the period" counts from it, so a
        year's data is due by 31 January (docs/deadlines.md)."""
        return start_of_day(self.last_day)


def _make(year: int, month: int, length: str) -> Period:
    months = PERIOD_MONTHS[length]
    start = start_of_day(date(year, month, 1))
    label = f"{year}" if months == 12 else f"{year}-{month:02d}"
    return Period(label=label, start=start, end=add_duration(start, f"P{months}M"))


def period_containing(moment: datetime, length: str = "P1Y") -> Period:
    """The period `moment` falls in."""
    day = local_date(moment)
    months = PERIOD_MONTHS[length]
    month = (day.month - 1) // months * months + 1
    return _make(day.year, month, length)


def previous_period(moment: datetime, length: str = "P1Y") -> Period:
    """The last period that ended at or before `moment`."""
    current = period_containing(moment, length)
    return period_containing(current.start - timedelta(microseconds=1), length)


def parse_period(label: str, length: str = "P1Y") -> Period | None:
    """The period a label names under `length`, or None if it names none."""
    months = PERIOD_MONTHS[length]
    if months == 12:
        match = _YEAR.match(label)
        if match is None:
            return None
        year, month = int(match[1]), 1
    else:
        match = _MONTH.match(label)
        if match is None:
            return None
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or (month - 1) % months:
            return None
    if not 2000 <= year <= 2999:
        return None
    return _make(year, month, length)


def period_hint(length: str = "P1Y") -> str:
    """How a period label is written, for messages."""
    return "四位年份，如 2026" if PERIOD_MONTHS[length] == 12 else "年-首月，如 2026-07"
