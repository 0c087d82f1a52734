"""The project record (docs/regulation.md, docs/api-guide.md project body)."""

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from domain.elements import Element
from domain.project import ImportedNaming, ProjectSpec, ProjectType
from tests.domain.conftest import CREDIT_CODE, make_spec, project_body


def _errors(body: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as info:
        ProjectSpec.model_validate(body)
    return [(tuple(e["loc"]), e["msg"]) for e in info.value.errors()]


def test_api_md_example_body_is_valid() -> None:
    spec = ProjectSpec.model_validate(project_body())
    assert spec.unit.credit_code == CREDIT_CODE
    assert spec.district == "310115"
    assert spec.type is ProjectType.INDUSTRY
    assert spec.focus == "生物医药"
    assert spec.service_items[0].element is Element.METROLOGY
    assert spec.basic_conditions.plan_fit.met


def test_make_spec_applies_overrides() -> None:
    assert make_spec(type="regional", focus="张江科学城").type is ProjectType.REGIONAL


def test_bad_check_character_fails_on_the_credit_code_with_the_reason() -> None:
    body = project_body()
    body["unit"]["credit_code"] = "91350100M000100Y44"
    [(loc, msg)] = _errors(body)
    assert loc == ("unit", "credit_code")
    assert "校验位" in msg


def test_forbidden_letter_fails_on_the_credit_code_with_the_letter() -> None:
    body = project_body()
    body["unit"]["credit_code"] = "91350100M000100Y4O"
    [(loc, msg)] = _errors(body)
    assert loc == ("unit", "credit_code")
    assert "“O”" in msg


def test_short_credit_code_fails_on_the_credit_code() -> None:
    body = project_body()
    body["unit"]["credit_code"] = CREDIT_CODE[:-1]
    [(loc, msg)] = _errors(body)
    assert loc == ("unit", "credit_code")
    assert "18" in msg


def test_unknown_district_fails_naming_the_code() -> None:
    [(loc, msg)] = _errors({**project_body(), "district": "310100"})
    assert loc == ("district",)
    assert "未知的区代码“310100”" in msg


def test_unknown_element_fails_on_the_service_item() -> None:
    body = {**project_body(), "service_items": [{"element": "weather", "title": "气象"}]}
    [(loc, msg)] = _errors(body)
    assert loc == ("service_items", 0, "element")
    assert "metrology" in msg


def test_empty_service_items_fail() -> None:
    [(loc, msg)] = _errors({**project_body(), "service_items": []})
    assert loc == ("service_items",)
    assert "at least 1" in msg


def test_unknown_field_is_refused() -> None:
    [(loc, _)] = _errors({**project_body(), "level": "municipal"})
    assert loc == ("level",)


def test_blank_focus_is_refused_after_stripping() -> None:
    [(loc, _)] = _errors({**project_body(), "focus": "   "})
    assert loc == ("focus",)


def test_bad_email_is_refused() -> None:
    body = project_body()
    body["unit"]["contact"]["email"] = "not-an-email"
    [(loc, _)] = _errors(body)
    assert loc == ("unit", "contact", "email")


def test_import_dates_must_be_in_order() -> None:
    with pytest.raises(ValidationError, match="市级命名日期不能早于区级命名日期"):
        ImportedNaming(district_named_on=date(2022, 1, 1), municipal_named_on=date(2021, 1, 1))
    same_day = ImportedNaming(
        district_named_on=date(2022, 1, 1), municipal_named_on=date(2022, 1, 1)
    )
    assert same_day.municipal_named_on == date(2022, 1, 1)
