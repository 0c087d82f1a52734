"""The process's durations (docs/api-guide.md "Policy file")."""

from datetime import date

import pytest
from pydantic import ValidationError

from domain.policy import Policy, PolicyError, parse_policy
from domain.workdays import WorkCalendar

API_MD_POLICY = """\
municipal_review_interval = "P3Y"      # Art. 9.3
rectification_period = "P6M"           # Art. 9.3
district_evaluation_interval = "P1Y"   # Art. 9.2 "定期"
decision_due = "P30D"                  # every human decision
decision_reminder_before = "P7D"
rectification_reminders_before = ["P30D", "P7D"]
"""


def test_defaults_are_the_regulation() -> None:
    policy = Policy()
    assert policy.municipal_review_interval == "P3Y"
    assert policy.rectification_period == "P6M"
    assert policy.district_evaluation_interval == "P1Y"
    assert policy.decision_due == "P30D"
    assert policy.decision_reminder_before == "P7D"
    assert policy.rectification_reminders_before == ("P30D", "P7D")
    assert policy.district_evaluation_intervals == {}


def test_api_md_policy_file_parses_to_the_defaults() -> None:
    assert parse_policy(API_MD_POLICY) == Policy()


def test_empty_policy_file_is_the_defaults() -> None:
    assert parse_policy("") == Policy()


def test_compressed_policy_keeps_its_texts() -> None:
    policy = parse_policy('municipal_review_interval = "PT30M"\ndecision_due = "PT5M"')
    assert policy.municipal_review_interval == "PT30M"
    assert policy.decision_due == "PT5M"
    assert policy.rectification_period == "P6M"


def test_per_district_interval_overrides_the_default_for_that_district_only() -> None:
    policy = parse_policy(API_MD_POLICY + '\n[district_evaluation_intervals]\n"310115" = "P6M"\n')
    assert policy.district_evaluation_intervals == {"310115": "P6M"}
    assert policy.district_interval("310115") == "P6M"
    assert policy.district_interval("310101") == "P1Y"


def test_unknown_district_code_names_the_key_and_the_code() -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy('[district_evaluation_intervals]\n"310199" = "P6M"\n')
    assert "district_evaluation_intervals" in str(info.value)
    assert "310199" in str(info.value)


def test_unknown_key_is_named() -> None:
    with pytest.raises(PolicyError, match="municipal_review_intervall"):
        parse_policy('municipal_review_intervall = "P3Y"')


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('decision_due = "P1.5Y"', "decision_due"),
        ('municipal_review_interval = "3Y"', "municipal_review_interval"),
        ('rectification_period = "P0D"', "rectification_period"),
        ('rectification_reminders_before = ["P30D", "PT"]', "rectification_reminders_before"),
        ('[district_evaluation_intervals]\n"310115" = "6M"', "district_evaluation_intervals"),
        ("decision_reminder_before = 7", "decision_reminder_before"),
    ],
)
def test_bad_duration_names_the_key(text: str, key: str) -> None:
    with pytest.raises(PolicyError, match=key):
        parse_policy(text)


def test_invalid_toml_names_the_source() -> None:
    with pytest.raises(PolicyError, match=r"qis\.toml.*TOML"):
        parse_policy("decision_due = ", source="qis.toml")


def test_policy_is_frozen() -> None:
    policy = Policy()
    with pytest.raises(ValidationError):
        policy.decision_due = "P1D"  # type: ignore[misc]


def test_a_calendar_table_adds_holidays_and_make_up_days_for_a_year_the_package_lacks() -> None:
    policy = parse_policy(
        """\
[calendar]
covered_years = [2027]
working_days = [2027-02-20]
[calendar.holidays]
2027-02-08 = "春节"
2027-02-09 = "春节"
"""
    )
    additions = policy.calendar
    assert additions.covered_years == (2027,)
    assert additions.working_days == (date(2027, 2, 20),)
    assert additions.holidays == {date(2027, 2, 8): "春节", date(2027, 2, 9): "春节"}
    # What the process counts on: a Monday deadline on the festival moves to Wednesday.
    calendar = WorkCalendar().with_additions(additions)
    assert calendar.covered(2027)
    assert calendar.next_working_day(date(2027, 2, 8)) == date(2027, 2, 10)
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday, made a working day


def test_a_calendar_date_both_holiday_and_working_day_is_refused_naming_it() -> None:
    with pytest.raises(PolicyError, match="2027-02-20"):
        parse_policy(
            '[calendar]\nworking_days = [2027-02-20]\n[calendar.holidays]\n2027-02-20 = "春节"\n'
        )
