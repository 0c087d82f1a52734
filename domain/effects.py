"""What a decision or a timer asks the outside world to do; the workflow runs them as activities."""

from datetime import datetime

from pydantic import BaseModel

from domain.actors import Role
from domain.state import HistoryEntry, NameEnding, NameRecord


class Recipient(BaseModel):
    """Who a notification is for: a role, narrowed to a district or a unit where it has one."""

    role: Role
    district: str | None = None
    credit_code: str | None = None


class Notify(BaseModel):
    key: str
    recipients: list[Recipient]
    subject: str
    body: str


class GrantName(BaseModel):
    name: NameRecord


class EndName(BaseModel):
    name_key: str
    ending: NameEnding


class RecordDecision(BaseModel):
    entry: HistoryEntry


class OweData(BaseModel):
    """A data period ended: the unit owes its figures by `due_at` (Art. 9.1)."""

    key: str
    district: str
    period: str
    opened_at: datetime
    due_at: datetime


class RecordData(BaseModel):
    """A unit's figures for one data period; a later one for the same period corrects it."""

    key: str
    district: str
    period: str
    seq: int
    smes_served: int
    services: dict[str, int]
    improvements: str
    submitted_at: datetime
    due_at: datetime
    on_time: bool


Effect = Notify | GrantName | EndName | RecordDecision | OweData | RecordData
