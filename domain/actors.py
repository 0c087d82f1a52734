"""Who takes decisions (docs/regulation.md)."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    OPERATOR = "operator"
    UNIT = "unit"
    DISTRICT_BUREAU = "district_bureau"
    MUNICIPAL_BUREAU = "municipal_bureau"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.OPERATOR: "平台运营方",
    Role.UNIT: "实施单位",
    Role.DISTRICT_BUREAU: "区市场监管局",
    Role.MUNICIPAL_BUREAU: "市市场监管局",
}


class Actor(BaseModel):
    """The person or office taking a decision, with the scope their credential carries."""

    model_config = ConfigDict(frozen=True)

    role: Role
    district: str | None = Field(default=None, description="区代码，区市场监管局必填")
    credit_code: str | None = Field(default=None, description="统一社会信用代码，实施单位必填")
    label: str = Field(default="", max_length=200, description="经办人或凭证说明")
