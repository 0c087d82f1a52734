"""The official names of Art. 6 and Art. 8."""

from domain.districts import district_name


def district_project_name(district: str, focus: str) -> str:
    """行政区名 + 产业（区域）+ 质量基础设施“一站式”服务项目 (Art. 6)."""
    return f"{district_name(district)}{focus}质量基础设施“一站式”服务项目"


def municipal_project_name(focus: str) -> str:
    """上海市 + 产业（区域）+ 质量基础设施集成服务项目 (Art. 8)."""
    return f"上海市{focus}质量基础设施集成服务项目"
