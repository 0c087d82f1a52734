"""The five quality-infrastructure elements (Art. 2)."""

from enum import StrEnum


class Element(StrEnum):
    METROLOGY = "metrology"
    STANDARDS = "standards"
    CERTIFICATION_ACCREDITATION = "certification_accreditation"
    INSPECTION_TESTING = "inspection_testing"
    QUALITY_MANAGEMENT = "quality_management"

    @property
    def label(self) -> str:
        return ELEMENT_LABELS[self]


ELEMENT_LABELS: dict[Element, str] = {
    Element.METROLOGY: "计量",
    Element.STANDARDS: "标准",
    Element.CERTIFICATION_ACCREDITATION: "认证认可",
    Element.INSPECTION_TESTING: "检验检测",
    Element.QUALITY_MANAGEMENT: "质量管理",
}
