"""Art. 9.1 data collection (rules 4), Art. 9.4 typical cases and Art. 12 national bases."""

from datetime import date, datetime

import pytest

from domain.actors import Role
from domain.decisions import (
    DecideAcceptance,
    Finding,
    RecommendNationalBase,
    ReportViolation,
    RequestAcceptance,
    SelectTypicalCase,
    SubmitData,
    WithdrawTypicalCase,
)
from domain.effects import OweData, RecordData
from domain.elements import Element
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.project import ImportedNaming
from domain.rules import DecisionRefused
from domain.state import RULES, ProjectState, TaskKind
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    DISTRICT_RECIPIENT,
    MUNICIPAL_BUREAU,
    PROJECT_ID,
    UNIT,
    UNIT_RECIPIENT,
    as_set,
    decide,
    district_named,
    make_spec,
    make_state,
    municipal_named,
    notifications,
    recipient_set,
    shanghai_midnight,
    utc,
)


def _named(rules: int = RULES) -> ProjectState:
    """A district project named on 2024-05-20 (the reference timeline), on `rules`."""
    state = make_state(rules=rules)
    decide(state, UNIT, RequestAcceptance(), utc(2024, 5, 13, 2))
    decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 5, 20, 2))
    return state


def _data(period: str = "2024", smes: int = 12) -> SubmitData:
    return SubmitData(
        period=period,
        smes_served=smes,
        services={Element.METROLOGY: 30, Element.INSPECTION_TESTING: 15},
        improvements="检测周期缩短三成",
    )


YEAR_END = shanghai_midnight(2025, 1, 1)
DUE = shanghai_midnight(2025, 2, 1)  # 24:00 on 31 January (no calendar: the plain month)


def test_naming_on_rules_4_waits_for_the_end_of_the_year() -> None:
    state = _named()
    assert state.next_data_period_end == YEAR_END
    assert next_wakeup(state) == YEAR_END


def test_the_end_of_the_year_opens_the_units_task_for_it() -> None:
    state = _named()
    effects = advance_time(state, YEAR_END)
    [task] = [t for t in state.tasks if t.kind is TaskKind.DATA_SUBMISSION]
    assert (task.period, task.role, task.due_at) == ("2024", Role.UNIT, DUE)
    assert [e for e in effects if isinstance(e, OweData)] == [
        OweData(key="p-1/2024", district="310115", period="2024", opened_at=YEAR_END, due_at=DUE)
    ]
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT)
    assert state.next_data_period_end == shanghai_midnight(2026, 1, 1)


def test_late_data_is_reminded_escalated_to_the_district_then_recorded_late() -> None:
    state = _named()
    advance_time(state, YEAR_END)
    reminder = advance_time(state, shanghai_midnight(2025, 1, 25))
    assert [n.subject for n in notifications(reminder)] == [
        "【浦东新区生物医药质量基础设施“一站式”服务项目】2024周期成效数据即将到期"
    ]
    assert recipient_set(reminder) == as_set(UNIT_RECIPIENT)
    escalation = advance_time(state, DUE)
    assert recipient_set(escalation) == as_set(DISTRICT_RECIPIENT)
    assert "逾期未报" in notifications(escalation)[0].subject
    effects = decide(state, UNIT, _data(), utc(2025, 2, 10, 2))
    [record] = [e for e in effects if isinstance(e, RecordData)]
    assert (record.period, record.on_time, record.due_at) == ("2024", False, DUE)
    assert record.services == {"metrology": 30, "inspection_testing": 15}
    assert state.task(TaskKind.DATA_SUBMISSION) is None
    assert state.history[-1].summary.startswith("报送2024周期成效数据（逾期）")


def test_a_second_submission_corrects_the_first() -> None:
    state = _named()
    advance_time(state, YEAR_END)
    decide(state, UNIT, _data(smes=12), utc(2025, 1, 10, 2))
    effects = decide(state, UNIT, _data(smes=15), utc(2025, 1, 12, 2))
    [record] = [e for e in effects if isinstance(e, RecordData)]
    assert (record.smes_served, record.on_time) == (15, True)
    assert state.data_submitted == ["2024"]
    assert state.history[-1].summary.startswith("更正2024周期成效数据：服务中小企业15家")
    # The long text goes to the decisions record only.
    assert "improvements" not in state.history[-1].payload


@pytest.mark.parametrize(
    ("period", "when", "message"),
    [
        ("2025", utc(2025, 6, 1), "数据周期2025尚未结束（至2025-12-31），结束后才能报送"),
        ("2024-07", utc(2025, 6, 1), "数据周期“2024-07”无法识别，应为四位年份，如 2026"),
    ],
)
def test_a_period_not_ended_or_unknown_is_refused_naming_the_field(
    period: str, when: datetime, message: str
) -> None:
    state = _named()
    with pytest.raises(DecisionRefused) as refused:
        decide(state, UNIT, _data(period), when)
    assert refused.value.field == "period"
    assert refused.value.message == message


def test_on_rules_3_no_data_task_opens_but_the_unit_may_still_submit() -> None:
    state = _named(rules=3)
    assert state.next_data_period_end is None
    advance_time(state, shanghai_midnight(2025, 3, 1))
    assert state.task(TaskKind.DATA_SUBMISSION) is None
    effects = decide(state, UNIT, _data(), utc(2025, 3, 2))
    [record] = [e for e in effects if isinstance(e, RecordData)]
    assert (record.due_at, record.on_time) == (DUE, False)


def test_an_import_owes_data_from_its_current_period() -> None:
    imported = ImportedNaming(district_named_on=date(2020, 3, 1))
    state, _ = new_state(PROJECT_ID, make_spec(), Policy(), utc(2025, 6, 1), imported)
    assert state.next_data_period_end == shanghai_midnight(2026, 1, 1)


def test_quarterly_periods_are_labelled_by_their_first_month() -> None:
    state = make_state(policy=Policy(data_period="P3M"), rules=RULES)
    decide(state, UNIT, RequestAcceptance(), utc(2024, 5, 13, 2))
    decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 5, 20, 2))
    advance_time(state, shanghai_midnight(2024, 7, 1))
    [task] = state.tasks
    assert task.period == "2024-04"


def test_an_ended_project_owes_nothing_more() -> None:
    state = _named()
    advance_time(state, YEAR_END)
    finding = ReportViolation(scope="district", finding=Finding.FALSE_DATA, note="数据不实")
    decide(state, DISTRICT_BUREAU, finding, utc(2025, 1, 5))
    assert state.tasks == []
    assert state.next_data_period_end is None
    assert next_wakeup(state) is None


# typical cases (Art. 9.4)


def test_a_typical_case_is_selected_told_and_withdrawn() -> None:
    state = district_named()
    case = SelectTypicalCase(title="一站式服务", summary="整合五要素资源")
    effects = decide(state, MUNICIPAL_BUREAU, case, utc(2024, 9, 1))
    assert state.typical_case is not None
    assert state.typical_case.title == "一站式服务"
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, DISTRICT_RECIPIENT)
    with pytest.raises(DecisionRefused) as refused:
        decide(state, MUNICIPAL_BUREAU, case, utc(2024, 9, 2))
    assert refused.value.message.startswith(
        "项目已于2024-09-01入选典型案例“一站式服务”，如需更换请先撤回"
    )
    decide(state, MUNICIPAL_BUREAU, WithdrawTypicalCase(reason="内容更新"), utc(2024, 10, 1))
    assert state.typical_case is None
    with pytest.raises(DecisionRefused) as refused:
        decide(state, MUNICIPAL_BUREAU, WithdrawTypicalCase(reason="再撤"), utc(2024, 10, 2))
    assert refused.value.message.startswith("项目未入选典型案例，无可撤回")


def test_only_the_municipal_bureau_selects_typical_cases() -> None:
    state = district_named()
    with pytest.raises(DecisionRefused) as refused:
        decide(state, DISTRICT_BUREAU, SelectTypicalCase(title="t", summary="s"), utc(2024, 9, 1))
    assert refused.value.message.startswith("“遴选典型案例”只能由市市场监管局作出")


# national bases (Art. 12)


def test_a_district_project_is_not_recommended_and_the_level_is_named() -> None:
    state = district_named()
    with pytest.raises(DecisionRefused) as refused:
        decide(state, MUNICIPAL_BUREAU, RecommendNationalBase(note="推荐"), utc(2024, 9, 1))
    assert refused.value.message.startswith(
        "项目当前为区级项目；只有市级项目可推荐申报国家质量基础设施集成服务基地（第十二条）"
    )


def test_a_municipal_project_is_recommended_once_and_loses_the_mark_with_its_name() -> None:
    state = municipal_named()
    effects = decide(state, MUNICIPAL_BUREAU, RecommendNationalBase(note="推荐"), utc(2024, 9, 1))
    assert recipient_set(effects) == as_set(UNIT_RECIPIENT, DISTRICT_RECIPIENT)
    mark = state.national_base_mark
    assert mark is not None
    assert mark.recommended_on == date(2024, 9, 1)
    with pytest.raises(DecisionRefused) as refused:
        decide(state, MUNICIPAL_BUREAU, RecommendNationalBase(note="再荐"), utc(2024, 9, 2))
    assert refused.value.message.startswith("项目已于2024-09-01推荐申报")
    finding = ReportViolation(scope="municipal", finding=Finding.FALSE_DATA, note="数据不实")
    decide(state, MUNICIPAL_BUREAU, finding, utc(2024, 10, 1))
    assert state.national_base_mark is None
    assert state.national_base is not None  # the record stays


def test_a_unit_that_never_reports_keeps_at_most_three_periods_open() -> None:
    state = _named()
    advance_time(state, shanghai_midnight(2030, 6, 1))
    periods = [t.period for t in state.tasks if t.kind is TaskKind.DATA_SUBMISSION]
    assert periods == ["2027", "2028", "2029"]
    assert all(t.escalated for t in state.tasks)
