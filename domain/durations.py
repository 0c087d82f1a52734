"""ISO-8601 durations added on the Shanghai calendar.

Y, M, W and D parts are calendar periods counted on Asia/Shanghai dates; T parts are exact.
China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact (and
workflows may not load tz data). A month or year that lands past the end of a month is clamped
to its last day: 2024-02-29 + P1Y = 2025-02-28, 2027-08-31 + P6M = 2028-02-29. Repeated periods
are always counted from their anchor (anchor + n × period), never step by step, so clamping never
drifts: 2024-02-29 + P3Y = 2027-02-28 but + P12Y = 2036-02-29.
"""

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

_PATTERN = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


class DurationError(ValueError):
    """A text that is not a positive ISO-8601 duration this product understands."""


def _parts(text: str) -> tuple[int, int, int]:
    """(months, days, seconds) of `text`: the calendar parts and the exact part."""
    match = _PATTERN.fullmatch(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise DurationError(f"“{text}”不是有效的ISO-8601期限（例如 P3Y、P6M、P30D、PT10M）")
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    months = parts["years"] * 12 + parts["months"]
    days = parts["weeks"] * 7 + parts["days"]
    seconds = parts["hours"] * 3600 + parts["minutes"] * 60 + parts["seconds"]
    if months == 0 and days == 0 and seconds == 0:
        raise DurationError(f"期限“{text}”必须大于零")
    if months > 100 * 12 or days > 100 * 366 or seconds > 100 * 366 * 86400:
        raise DurationError(f"期限“{text}”过长（不超过100年）")
    return months, days, seconds


def _validate(text: str) -> str:
    _parts(text)
    return text


IsoDuration = Annotated[str, AfterValidator(_validate)]
"""A positive ISO-8601 duration kept as its text (so it serialises as written)."""


def add_duration(moment: datetime, duration: str, times: int = 1) -> datetime:
    """`moment` + `times` × `duration` on the Shanghai calendar; `times` may be negative."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    months, days, seconds = _parts(duration)
    local = moment.astimezone(SHANGHAI)
    total_months = local.year * 12 + (local.month - 1) + months * times
    year, month = divmod(total_months, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    shifted = local.replace(year=year, month=month, day=day)
    shifted += timedelta(days=days * times, seconds=seconds * times)
    return shifted.astimezone(UTC)


def start_of_day(day: date) -> datetime:
    """00:00 in Shanghai on `day`, as a UTC instant."""
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The Shanghai calendar date of an instant."""
    return moment.astimezone(SHANGHAI).date()


def next_after(anchor: datetime, period: str, after: datetime) -> datetime:
    """The first anchor + k × period (k ≥ 1) strictly later than `after`.

    Starts from an estimate of k, so a short demo period far from its anchor costs a few
    steps, not one per period (this runs inside workflow tasks).
    """
    months, days, seconds = _parts(period)
    approx = months * 30.436875 * 86400 + days * 86400 + seconds
    k = max(1, int((after - anchor).total_seconds() / approx) - 1)
    while k > 1 and add_duration(anchor, period, k - 1) > after:
        k -= 1
    while (moment := add_duration(anchor, period, k)) <= after:
        k += 1
    return moment
