"""Profile updates (Art. 11): the unit or the operator keeps contacts, service items and basic
conditions current in every live stage; the change is recorded in words and the district bureau
is told; what makes the name never changes."""

import pytest

from domain.decisions import DecideAcceptance, UpdateProfile
from domain.project import BasicConditions, Condition, Contact, ServiceItem
from domain.rules import DecisionRefused
from domain.stages import Stage
from tests.domain.conftest import (
    ACCEPTED_AT,
    DISTRICT_BUREAU,
    DISTRICT_NAME,
    DISTRICT_RECIPIENT,
    OPERATOR,
    OTHER_UNIT,
    UNIT,
    decide,
    district_named,
    in_acceptance,
    in_rectification,
    make_state,
    notifications,
    records,
    utc,
)

UPDATED_AT = utc(2024, 9, 2, 2)
NEW_CONTACT = Contact(person="李四", phone="021-11111111", email="lisi@example.cn")


def test_a_new_contact_is_recorded_and_the_district_bureau_told() -> None:
    state = district_named()
    effects = decide(state, UNIT, UpdateProfile(contact=NEW_CONTACT), UPDATED_AT)
    assert state.spec.unit.contact == NEW_CONTACT
    assert state.stage is Stage.DISTRICT_NAMED
    [record] = records(effects)
    assert record.entry.summary == (
        "更新项目资料：联系人由张三（021-00000000，qis@example.cn）"
        "改为李四（021-11111111，lisi@example.cn）"
    )
    [notice] = notifications(effects)
    assert notice.recipients == [DISTRICT_RECIPIENT]
    assert notice.subject == f"【{DISTRICT_NAME}】项目资料已更新"
    assert "实施单位更新了项目资料：联系人由张三" in notice.body
    # The name, the unit and the district stay as they were.
    assert state.display_name == DISTRICT_NAME
    assert state.spec.unit.name == "上海示例检测技术有限公司"


def test_service_items_and_conditions_are_replaced_together() -> None:
    state = in_acceptance()
    items = [
        ServiceItem(element="metrology", title="计量校准服务"),
        ServiceItem(element="standards", title="团体标准制定辅导"),
    ]
    conditions = BasicConditions(
        plan_fit=Condition(met=True, evidence="列入区产业发展规划"),
        five_element_capability=Condition(met=False, evidence="认证认可团队尚在组建"),
        systems_and_resources=Condition(met=True, evidence="年度经费已落实"),
    )
    effects = decide(
        state,
        OPERATOR,
        UpdateProfile(service_items=items, basic_conditions=conditions),
        ACCEPTED_AT,
    )
    assert state.spec.service_items == items
    assert state.spec.basic_conditions == conditions
    [record] = records(effects)
    assert record.entry.summary == (
        "更新项目资料：服务事项由1项改为2项（计量校准服务、团体标准制定辅导）；"
        "基本条件更新为未满足：具备五要素服务能力"
    )
    # An unmet condition now blocks acceptance (Art. 5, 6), naming it.
    with pytest.raises(DecisionRefused, match="不满足第五条基本条件，不能通过验收"):
        decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), ACCEPTED_AT)


def test_the_same_profile_again_changes_nothing_and_tells_nobody() -> None:
    state = make_state()
    same = UpdateProfile(contact=state.spec.unit.contact)
    effects = decide(state, UNIT, same, UPDATED_AT)
    [record] = records(effects)
    assert record.entry.summary == "更新项目资料：内容与原有资料相同，未作改动"
    assert notifications(effects) == []


def test_a_profile_is_updated_during_rectification_too() -> None:
    state = in_rectification()
    decide(state, UNIT, UpdateProfile(contact=NEW_CONTACT), UPDATED_AT.replace(year=2027, month=8))
    assert state.spec.unit.contact == NEW_CONTACT
    assert state.stage is Stage.RECTIFICATION


def test_another_unit_and_a_bureau_may_not_update_the_profile() -> None:
    state = district_named()
    with pytest.raises(DecisionRefused, match="实施单位只能处理本单位的项目"):
        decide(state, OTHER_UNIT, UpdateProfile(contact=NEW_CONTACT), UPDATED_AT)
    with pytest.raises(DecisionRefused, match="只能由平台运营方或实施单位作出"):
        decide(state, DISTRICT_BUREAU, UpdateProfile(contact=NEW_CONTACT), UPDATED_AT)
    assert state.spec.unit.contact.person == "张三"


def test_an_update_must_change_something() -> None:
    with pytest.raises(ValueError, match="至少给出"):
        UpdateProfile()
