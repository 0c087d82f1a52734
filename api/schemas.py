"""Request (`XCreate`, action bodies) and response (`XRead`) schemas of the HTTP API.

Request bodies reuse the domain's models, so the API validates exactly what the workflow accepts;
they add one rule of their own: no control characters or broken Unicode in any text, which the
database could not store.
"""

from datetime import UTC, date, datetime
from types import new_class
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict

from api import examples
from domain.actors import Role
from domain.credit_code import shanghai_problem
from domain.decisions import DECISION_TYPES, Action
from domain.durations import local_date
from domain.elements import Element
from domain.project import BasicConditions, ImportedNaming, ProjectSpec, ProjectType, Unit
from domain.stages import Level, Stage
from domain.state import TaskKind

_CONTROL = frozenset(chr(c) for c in range(0x20)) - {"\t", "\n", "\r"}
EARLIEST_NAMING = date(2000, 1, 1)
LATEST_NAMING = date(2099, 12, 31)


def _text_problem(value: object, path: str) -> str | None:
    """Where `value` holds a character PostgreSQL or JSON cannot keep, in Chinese; else None."""
    if isinstance(value, str):
        for char in value:
            if char in _CONTROL or "\ud800" <= char <= "\udfff":
                where = f"字段 {path} " if path else ""
                return f"{where}含有不允许的控制字符或无效字符（U+{ord(char):04X}），请删除后重试"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            problem = _text_problem(key, sub) or _text_problem(item, sub)
            if problem:
                return problem
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = _text_problem(item, f"{path}[{index}]")
            if problem:
                return problem
    return None


class PlainText(BaseModel):
    """Mixin: refuse NUL, other control characters and lone surrogates anywhere in the body."""

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: Any) -> Any:
        problem = _text_problem(data, "")
        if problem:
            raise ValueError(problem)
        return data


# --- requests ---------------------------------------------------------------------------------


IMPORT_FIELDS = {
    "district_named_on",
    "municipal_named_on",
    "district_last_evaluated_on",
    "municipal_last_evaluated_on",
}


class UnitCreate(Unit):
    """The implementing unit of a new project: a Shanghai unit (Art. 2)."""

    @field_validator("credit_code")
    @classmethod
    def _shanghai_unit(cls, value: str) -> str:
        problem = shanghai_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ProjectCreate(PlainText, ProjectSpec):
    """A project to register (docs/api-guide.md “Project body”)."""

    model_config = ConfigDict(title="登记项目", json_schema_extra={"examples": [examples.PROJECT]})

    unit: UnitCreate

    def to_spec(self) -> ProjectSpec:
        """The domain's ProjectSpec of this body."""
        return ProjectSpec.model_validate(self.model_dump(exclude=IMPORT_FIELDS))


class ProjectImport(ProjectCreate):
    """An already named project with its naming dates; its timers count from those dates."""

    model_config = ConfigDict(
        title="导入已命名项目",
        json_schema_extra={"examples": [examples.IMPORTED_DISTRICT, examples.IMPORTED_MUNICIPAL]},
    )

    district_named_on: date = Field(description="区级命名日期（YYYY-MM-DD）")
    municipal_named_on: date | None = Field(
        default=None, description="市级命名日期（YYYY-MM-DD），仅市级项目填写"
    )
    district_last_evaluated_on: date | None = Field(
        default=None,
        description="最近一次区级定期评估的日期；不填且评估已到期的，导入后立即生成评估待办",
    )
    municipal_last_evaluated_on: date | None = Field(
        default=None,
        description="最近一次市级三年评估的日期；不填且评估已到期的，导入后立即生成评估待办",
    )

    @model_validator(mode="after")
    def _dates(self) -> "ProjectImport":
        today = local_date(datetime.now(UTC))
        dates = (
            ("命名日期", self.district_named_on),
            ("命名日期", self.municipal_named_on),
            ("最近评估日期", self.district_last_evaluated_on),
            ("最近评估日期", self.municipal_last_evaluated_on),
        )
        for what, value in dates:
            if value and not EARLIEST_NAMING <= value <= LATEST_NAMING:
                raise ValueError(
                    f"{what}{value.isoformat()}不合理，应在{EARLIEST_NAMING}至{LATEST_NAMING}之间"
                )
            if value and value > today:
                raise ValueError(
                    f"{what}{value.isoformat()}晚于今天（{today.isoformat()}），应为已经发生的日期"
                )
        self.naming()
        return self

    def naming(self) -> ImportedNaming:
        """The naming dates as the domain's ImportedNaming."""
        return ImportedNaming(
            district_named_on=self.district_named_on,
            municipal_named_on=self.municipal_named_on,
            district_last_evaluated_on=self.district_last_evaluated_on,
            municipal_last_evaluated_on=self.municipal_last_evaluated_on,
        )


def _without_action(schema: JsonDict) -> None:
    """The route names the action; the body need not repeat it."""
    properties = schema.get("properties")
    if isinstance(properties, dict):
        properties.pop("action", None)


_BODY = ConfigDict(json_schema_extra=_without_action)


def _api_body(body: type[BaseModel]) -> type[BaseModel]:
    """`XBody`: the domain's body `X` as a request takes it, plain text only."""
    name = f"{body.__name__}Body"

    def namespace(ns: dict[str, Any]) -> None:
        ns.update(model_config=_BODY, __module__=__name__, __qualname__=name)

    return cast(type[BaseModel], new_class(name, (PlainText, body), exec_body=namespace))


# Each action's request body, derived from its domain body (domain.decisions).
ACTION_BODIES: dict[Action, type[BaseModel]] = {
    action: _api_body(body) for action, body in DECISION_TYPES.items()
}


# --- responses --------------------------------------------------------------------------------


class ContactRead(BaseModel):
    person: str
    phone: str
    email: str


class UnitRead(BaseModel):
    name: str
    credit_code: str
    contact: ContactRead


class ServiceItemRead(BaseModel):
    element: Element
    element_label: str = Field(description="要素中文名")
    title: str


class NameEndingRead(BaseModel):
    kind: Literal["cancelled", "revoked"]
    kind_label: str = Field(description="取消 或 撤消")
    on: date
    at: datetime
    by: Role
    by_label: str
    reason: str


class NameRead(BaseModel):
    """One entry of the names register."""

    level: Level
    level_label: str
    name: str
    granted_on: date
    granted_by: Role
    granted_by_label: str
    active: bool
    ending: NameEndingRead | None = None


class PendingDecisionRead(BaseModel):
    """A decision the process waits for."""

    kind: TaskKind
    label: str
    action: Action
    waiting_for: Role
    waiting_for_label: str
    opened_at: datetime
    due_at: datetime = Field(description="到期时刻（法定期限为最后一日24时，即次日0时）")
    due_on: date = Field(description="期限的最后一日（上海日期）")
    due_rule: str | None = Field(
        default=None, description="期限如何确定：按期届满、法定节假日顺延（春节）、周末顺延等"
    )
    reminder_at: datetime | None = None
    overdue: bool
    escalated: bool = Field(description="已逾期并报上级督办")
    period: str | None = Field(default=None, description="成效数据报送：数据周期，如 2026")


class ScheduleRead(BaseModel):
    next_district_evaluation_at: datetime | None = None
    next_municipal_review_at: datetime | None = None
    rectification_deadline: datetime | None = None
    rectification_deadline_on: date | None = Field(default=None, description="整改期最后一日")
    rectification_deadline_rule: str | None = Field(default=None, description="整改期限如何确定")
    rectification_reported: bool = False


class ActorRead(BaseModel):
    role: Role
    role_label: str
    label: str
    district: str | None = None
    credit_code: str | None = None


class HistoryRead(BaseModel):
    """One event of the project's history: a decision or something that fell due."""

    seq: int
    at: datetime
    event: str
    summary: str
    actor: ActorRead | None = None
    stage_before: Stage
    stage_after: Stage
    details: dict[str, Any] = Field(default_factory=dict)


class TypicalCaseRead(BaseModel):
    """A typical case as published (Art. 9.4)."""

    title: str
    summary: str
    selected_on: date


class NationalBaseMark(BaseModel):
    """The public mark of a national-base recommendation (Art. 12): its date only."""

    recommended_on: date


class NationalBaseRead(BaseModel):
    """The municipal bureau's recommendation for the national base (Art. 12)."""

    recommended_on: date
    note: str = Field(description="推荐意见（公开名录不显示）")


class ProjectRead(BaseModel):
    """One project as its process knows it now, with what the caller may do."""

    id: str
    name: str = Field(description="现用名称；无有效命名时为最后一个名称或拟命名称")
    stage: Stage
    stage_label: str
    level: Level
    level_label: str
    ended: bool
    unit: UnitRead
    district: str
    district_name: str
    type: ProjectType
    type_label: str
    focus: str
    service_items: list[ServiceItemRead]
    basic_conditions: BasicConditions
    registered_at: datetime
    next_deadline: datetime | None = None
    names: list[NameRead]
    pending_decisions: list[PendingDecisionRead]
    schedule: ScheduleRead
    history: list[HistoryRead]
    allowed_actions: list[Action] = Field(description="调用者当前可执行的决定")
    actions_by_role: dict[Role, list[Action]] = Field(description="当前阶段各角色可执行的决定")
    typical_case: TypicalCaseRead | None = Field(
        default=None, description="入选的典型案例（第九条第四项）"
    )
    national_base: NationalBaseRead | None = Field(
        default=None, description="推荐申报国家基地（第十二条），市级命名有效时"
    )
    data_submitted: list[str] = Field(
        default_factory=list, description="已报送成效数据的数据周期（第九条第一项）"
    )


class ProjectSummary(BaseModel):
    """A project as the read model lists it."""

    id: str
    name: str
    unit_name: str
    credit_code: str
    district: str
    district_name: str
    type: ProjectType
    focus: str
    stage: Stage
    stage_label: str
    level: Level
    level_label: str
    next_deadline: datetime | None = None
    registered_at: datetime
    updated_at: datetime


class ProjectPage(BaseModel):
    items: list[ProjectSummary]
    total: int
    limit: int
    offset: int


class ReportSubmit(PlainText):
    """The district bureau's note to the municipal bureau with its report, if any."""

    note: str | None = Field(default=None, max_length=2000, description="附言")


class TaskRead(BaseModel):
    """A decision waiting for the caller (or, for supervisors, an overdue one of others), or a
    district report owed (`kind` "district_report": no project, no action; it is submitted at
    `POST /v1/districts/{district}/reports/{period}/submit`)."""

    project_id: str | None = Field(description="项目编号；区级报告为空")
    project_name: str = Field(description="项目名称；区级报告为报告名称")
    district: str
    district_name: str
    kind: str
    label: str
    action: Action | None = Field(description="待办决定；区级报告为空")
    period: str | None = Field(default=None, description="区级报告的数据周期")
    waiting_for: Role
    waiting_for_label: str
    opened_at: datetime | None = None
    due_at: datetime
    due_on: date | None = Field(default=None, description="期限的最后一日（上海日期）")
    due_rule: str | None = Field(default=None, description="期限如何确定（法定节假日顺延等）")
    overdue: bool
    escalated: bool
    supervising: bool = Field(description="该事项等待其他机关决定，已逾期报调用者督办")


class DirectoryEntry(BaseModel):
    """A named project as the public directory shows it (Art. 11)."""

    name: str
    level: Level
    level_label: str
    named_on: date
    district: str
    district_name: str
    type: ProjectType
    type_label: str
    focus: str
    unit_name: str
    service_items: list[ServiceItemRead]
    contact: ContactRead
    typical_case: TypicalCaseRead | None = Field(
        default=None, description="典型案例（第九条第四项）"
    )
    national_base: NationalBaseMark | None = Field(
        default=None, description="已推荐申报国家质量基础设施集成服务基地（第十二条）"
    )


class FieldProblem(BaseModel):
    field: str = Field(description="出错字段，如 unit.credit_code")
    message: str


class ErrorRead(BaseModel):
    """Every error response: a machine code and a Chinese message saying what to do."""

    code: str
    detail: str
    errors: list[FieldProblem] | None = None
    allowed_actions: list[str] | None = None
    known_actions: list[str] | None = None


class HealthRead(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]
    temporal: Literal["ok", "unavailable"]


# --- notification contacts (qis contacts, /v1/contacts) ---------------------------------------


class DeliveryContactWrite(PlainText):
    """Where one recipient's notifications go; a PUT replaces what was there."""

    model_config = ConfigDict(title="通知联系方式", extra="forbid")

    role: Role = Field(description="收件角色")
    district: str | None = Field(
        default=None, max_length=20, description="区代码，仅区市场监管局；不填则适用于所有区"
    )
    credit_code: str | None = Field(
        default=None,
        max_length=30,
        description="统一社会信用代码，仅实施单位（用于 webhook）；不填则适用于所有单位",
    )
    emails: list[str] = Field(
        default_factory=list, max_length=20, description="收件邮箱，可多个；空表示不发邮件"
    )
    webhook_url: str | None = Field(
        default=None, max_length=500, description="webhook 地址（http 或 https）；null 表示不用"
    )
    rotate_secret: bool = Field(default=False, description="webhook 地址不变时也更换签名密钥")


class DeliveryContactRead(BaseModel):
    """A registered contact (the webhook's secret is never shown again)."""

    role: Role
    role_label: str
    district: str | None = None
    district_name: str | None = None
    credit_code: str | None = None
    recipient: str = Field(description="收件方，中文")
    emails: list[str]
    webhook_url: str | None = None
    updated_at: datetime | None = None


class DeliveryContactSaved(DeliveryContactRead):
    """The contact as saved, with the webhook's signing secret when it was just made."""

    webhook_secret: str | None = Field(
        default=None,
        description="webhook 签名密钥（whsec_…），只在设置新地址或更换密钥时返回这一次",
    )
