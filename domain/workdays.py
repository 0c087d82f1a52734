"""Which Shanghai calendar days are working days (docs/regulation.md).

A day is a working day unless it is a rest day: Saturdays and Sundays, and the days the State
Council's yearly notice gives off for a statutory holiday. The same notice turns some weekend
days into make-up working days (调休上班), which count as working days.

The holiday table comes from the `chinese-calendar` package, read once by `package_calendar`
outside any workflow (the API or worker, when building the policy) into plain dates; a workflow
only ever sees a `WorkCalendar`, a serialisable value of plain dates, so nothing here reads a
file or the clock. A year the package has no data for counts weekends only (`covered` says
which years have data), and the policy file may add holidays, working days and whole years
(`CalendarAdditions`); policy dates win over the package's.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_ROLL_DAYS = 366
"""No run of rest days is longer than this; a longer one is a policy mistake."""


class CalendarAdditions(BaseModel):
    """Dates the policy file adds to (or corrects in) the package's holiday data.

    In TOML (docs/api-guide.md policy file), for example::

        [calendar]
        covered_years = [2027]
        working_days = [2027-02-20]
        [calendar.holidays]
        2027-02-08 = "春节"
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    holidays: dict[date, str] = Field(default_factory=dict)
    """Rest days by law, each with the holiday's name (e.g. "春节")."""
    working_days: tuple[date, ...] = ()
    """Make-up working days (调休上班), usually weekend days."""
    covered_years: tuple[int, ...] = ()
    """Years whose whole schedule the package plus these dates now give (no longer weekends only)."""

    @field_validator("holidays")
    @classmethod
    def _named(cls, value: dict[date, str]) -> dict[date, str]:
        unnamed = [d.isoformat() for d, name in value.items() if not name.strip()]
        if unnamed:
            raise ValueError(f"节假日须写明名称：{', '.join(unnamed)}")
        return {d: value[d].strip() for d in sorted(value)}

    @field_validator("working_days")
    @classmethod
    def _sorted_days(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        return tuple(sorted(set(value)))

    @field_validator("covered_years")
    @classmethod
    def _sorted_years(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _not_both(self) -> Self:
        both = sorted(set(self.holidays) & set(self.working_days))
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise ValueError(f"同一天不能既是节假日又是工作日：{days}")
        return self


class WorkCalendar(BaseModel):
    """Holidays, make-up working days and the years they are complete for, as plain dates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    holidays: dict[date, str] = Field(default_factory=dict)
    """Rest days given for a statutory holiday (weekend days inside its break too), by name."""
    working_days: dict[date, str] = Field(default_factory=dict)
    """Make-up working days, each with the holiday it makes up for ("" if not known)."""
    covered_years: tuple[int, ...] = ()
    """Years whose holidays and make-up days are all here; other years count weekends only."""

    @field_validator("holidays", "working_days")
    @classmethod
    def _sorted_map(cls, value: dict[date, str]) -> dict[date, str]:
        # Sorted, so equal calendars serialise to the same text (workflow payloads).
        return {d: value[d] for d in sorted(value)}

    @field_validator("covered_years")
    @classmethod
    def _sorted_years(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(value)))

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day: a make-up day, or a weekday that is not a holiday."""
        if day in self.working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def covered(self, year: int) -> bool:
        """Whether the calendar has the holiday schedule of `year` (else: weekends only)."""
        return year in self.covered_years

    def holiday(self, day: date) -> str | None:
        """The name of the holiday `day` is a rest day for, if it is one."""
        if day in self.working_days:
            return None
        return self.holidays.get(day)

    def next_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the first working day after it."""
        current = day
        for _ in range(MAX_ROLL_DAYS):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError(f"{day.isoformat()}之后{MAX_ROLL_DAYS}天内没有工作日，请检查节假日设置")

    def with_additions(self, additions: CalendarAdditions) -> "WorkCalendar":
        """This calendar with the policy's dates added; a policy date replaces the package's."""
        holidays = {d: n for d, n in self.holidays.items() if d not in additions.working_days}
        holidays.update(additions.holidays)
        working = {d: n for d, n in self.working_days.items() if d not in additions.holidays}
        working.update({d: working.get(d, "") for d in additions.working_days})
        return WorkCalendar(
            holidays=holidays,
            working_days=working,
            covered_years=(*self.covered_years, *additions.covered_years),
        )


def calendar_from_tables(
    holidays: Mapping[date, str],
    working_days: Mapping[date, str],
    first_year: int,
    last_year: int,
    data_years: range,
) -> WorkCalendar:
    """The part of holiday tables for `first_year`..`last_year` that `data_years` covers."""
    years = [y for y in range(first_year, last_year + 1) if y in data_years]
    return WorkCalendar(
        holidays={d: n for d, n in holidays.items() if d.year in years},
        working_days={d: n for d, n in working_days.items() if d.year in years},
        covered_years=tuple(years),
    )


_OFFICIAL_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}
"""The package's short names, as 《全国年节及纪念日放假办法》 names the holidays."""


def package_calendar(first_year: int, last_year: int) -> WorkCalendar:
    """The `chinese-calendar` package's holidays for `first_year`..`last_year` (inclusive).

    Call it outside workflows (API, worker) and hand the result, or its dump, to the workflow.
    Years the package has no data for are left out of `covered_years`.
    """
    # Imported here, not at module level, so that workflows importing this module never load it.
    from chinese_calendar import constants  # type: ignore[import-untyped]

    chinese = {h.value: _OFFICIAL_NAMES.get(h.chinese, h.chinese) for h in constants.Holiday}
    holidays: dict[date, str] = {d: chinese.get(n, n) for d, n in constants.holidays.items()}
    working: dict[date, str] = {d: chinese.get(n, n) for d, n in constants.workdays.items()}
    data_years = range(min(holidays).year, max(holidays).year + 1)
    return calendar_from_tables(holidays, working, first_year, last_year, data_years)
