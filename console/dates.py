"""Dates and times as people in Shanghai read them: 2027年5月10日, 2027年5月10日 14:30."""

from datetime import date, datetime

from domain.durations import SHANGHAI


def shanghai_date(moment: datetime | date | None) -> str:
    """The Shanghai calendar date of a moment (or a date as it is), e.g. 2027年5月10日."""
    if moment is None:
        return "—"
    day = moment.astimezone(SHANGHAI).date() if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def shanghai_time(moment: datetime | None) -> str:
    """The Shanghai date and clock time of a moment, e.g. 2027年5月10日 14:30."""
    if moment is None:
        return "—"
    local = moment.astimezone(SHANGHAI)
    return f"{shanghai_date(local)} {local:%H:%M}"
