"""Official names (Art. 6, Art. 8; docs/regulation.md)."""

import pytest

from domain.districts import DISTRICTS, district_name, is_district
from domain.naming import district_project_name, municipal_project_name


def test_district_name_of_the_example() -> None:
    assert district_project_name("310115", "生物医药") == (
        "浦东新区生物医药质量基础设施“一站式”服务项目"
    )


def test_regional_district_name_uses_the_area() -> None:
    assert district_project_name("310115", "张江科学城") == (
        "浦东新区张江科学城质量基础设施“一站式”服务项目"
    )


def test_municipal_name_of_the_example() -> None:
    assert municipal_project_name("生物医药") == "上海市生物医药质量基础设施集成服务项目"


def test_unknown_district_has_no_name() -> None:
    with pytest.raises(KeyError):
        district_project_name("310100", "生物医药")


def test_sixteen_districts_with_their_codes() -> None:
    assert len(DISTRICTS) == 16
    assert district_name("310101") == "黄浦区"
    assert district_name("310151") == "崇明区"
    assert is_district("310120")
    assert not is_district("310102")  # the former 卢湾区 code
