"""The process's durations (docs/api-guide.md "Policy file"); the regulation's values by default."""

import tomllib

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.districts import is_district
from domain.durations import IsoDuration
from domain.periods import PERIOD_MONTHS
from domain.workdays import CalendarAdditions


class PolicyError(ValueError):
    """A policy text that cannot be used, with a message naming the key."""


class Policy(BaseModel):
    """Durations a process starts with and keeps for its whole life."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    municipal_review_interval: IsoDuration = "P3Y"  # Art. 9.3 每3年
    rectification_period: IsoDuration = "P6M"  # Art. 9.3 半年的整改期
    district_evaluation_interval: IsoDuration = "P1Y"  # Art. 9.2 定期
    district_evaluation_intervals: dict[str, IsoDuration] = Field(default_factory=dict)
    decision_due: IsoDuration = "P30D"
    decision_reminder_before: IsoDuration = "P7D"
    rectification_reminders_before: tuple[IsoDuration, ...] = ("P30D", "P7D")
    calendar: CalendarAdditions = Field(default_factory=CalendarAdditions)
    """Holidays and make-up working days the policy adds to the package's (docs/deadlines.md)."""
    data_period: str = "P1Y"  # Art. 9.1 定期收集: a calendar year (or P6M, P3M, P1M)
    data_due_after: IsoDuration = "P1M"  # a unit's figures: due a month after the period
    district_report_due_after: IsoDuration = "P2M"  # the district report: after the units'

    @field_validator("data_period")
    @classmethod
    def _calendar_period(cls, value: str) -> str:
        if value not in PERIOD_MONTHS:
            raise ValueError(f"数据周期只能是 {'、'.join(PERIOD_MONTHS)} 之一")
        return value

    @field_validator("district_evaluation_intervals")
    @classmethod
    def _known_districts(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [code for code in value if not is_district(code)]
        if unknown:
            raise ValueError(f"未知的区代码：{', '.join(unknown)}")
        return value

    def district_interval(self, district: str) -> str:
        """The district evaluation interval for `district` (a per-district value wins)."""
        return self.district_evaluation_intervals.get(district, self.district_evaluation_interval)


def parse_policy(text: str, source: str = "策略文件") -> Policy:
    """A Policy from TOML text; PolicyError naming the source and key on bad input."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{source}不是有效的TOML：{err}") from err
    try:
        return Policy.model_validate(data)
    except ValidationError as err:
        problems = "；".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise PolicyError(f"{source}有误：{problems}") from err
