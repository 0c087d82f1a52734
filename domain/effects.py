"""What a decision or a timer asks the outside world to do; the workflow runs them as activities."""

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


Effect = Notify | GrantName | EndName | RecordDecision
