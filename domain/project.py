"""What a project is (docs/regulation.md): the record an operator registers."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.credit_code import credit_code_problem
from domain.districts import DISTRICTS, is_district
from domain.elements import Element


class ProjectType(StrEnum):
    INDUSTRY = "industry"
    REGIONAL = "regional"

    @property
    def label(self) -> str:
        return "产业型" if self is ProjectType.INDUSTRY else "区域型"


ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person: ShortText
    phone: Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+\-() ]+$")]
    email: Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Unit(BaseModel):
    """The implementing unit (实施单位)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: ShortText
    credit_code: Annotated[
        str, Field(description="统一社会信用代码（18位）", examples=["91310115MA1H7XK2BM"])
    ]
    contact: Contact

    @field_validator("credit_code")
    @classmethod
    def _valid_credit_code(cls, value: str) -> str:
        problem = credit_code_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ServiceItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    element: Element
    title: ShortText


class Condition(BaseModel):
    """One basic condition: whether it is met, and the evidence for that (a short text)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    met: bool
    evidence: Annotated[str, Field(max_length=500)] = ""

    @model_validator(mode="before")
    @classmethod
    def _bare_boolean(cls, value: object) -> object:
        # Bodies and stored states of the first release give a bare yes/no.
        if isinstance(value, bool):
            return {"met": value}
        if isinstance(value, dict | Condition):
            return value
        raise ValueError("应为布尔值（true/false），或含 met（是否满足）与 evidence（依据）的对象")


CONDITION_LABELS = {
    "plan_fit": "符合本区产业规划、服务对象明确",
    "five_element_capability": "具备五要素服务能力",
    "systems_and_resources": "具备工作制度、服务流程及资金、人员、技术、场地等保障",
}


class BasicConditions(BaseModel):
    """Art. 5: the three basic conditions, each met or not, with its evidence."""

    model_config = ConfigDict(extra="forbid")

    plan_fit: Condition
    five_element_capability: Condition
    systems_and_resources: Condition

    def unmet(self) -> list[str]:
        """The Chinese labels of the conditions not met, in the regulation's order."""
        return [label for field, label in CONDITION_LABELS.items() if not getattr(self, field).met]


class ProjectSpec(BaseModel):
    """A project as registered: unit, district, type, focus, service items, conditions."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit: Unit
    district: str
    type: ProjectType
    focus: Annotated[str, Field(min_length=1, max_length=50, description="产业或区域名称")]
    service_items: Annotated[list[ServiceItem], Field(min_length=1, max_length=100)]
    basic_conditions: BasicConditions

    @field_validator("district")
    @classmethod
    def _known_district(cls, value: str) -> str:
        if not is_district(value):
            raise ValueError(f"未知的区代码“{value}”，应为上海市16个区之一：{'、'.join(DISTRICTS)}")
        return value


class ImportedNaming(BaseModel):
    """Dates on which an already named project got its names (for import), and when it was
    last evaluated at each level, if it was."""

    model_config = ConfigDict(extra="forbid")

    district_named_on: date
    municipal_named_on: date | None = None
    district_last_evaluated_on: date | None = None
    municipal_last_evaluated_on: date | None = None

    @model_validator(mode="after")
    def _order(self) -> "ImportedNaming":
        if self.municipal_named_on and self.municipal_named_on < self.district_named_on:
            raise ValueError("市级命名日期不能早于区级命名日期")
        if self.district_last_evaluated_on and self.district_last_evaluated_on < (
            self.district_named_on
        ):
            raise ValueError("区级最近评估日期不能早于区级命名日期")
        if self.municipal_last_evaluated_on:
            if self.municipal_named_on is None:
                raise ValueError("未给出市级命名日期时不能给出市级最近评估日期")
            if self.municipal_last_evaluated_on < self.municipal_named_on:
                raise ValueError("市级最近评估日期不能早于市级命名日期")
        return self
