"""Typed inputs of the activities (one model each, so signatures can evolve)."""

from pydantic import BaseModel

from db.read_model import ProjectRow
from domain.effects import Effect, EndName, GrantName, Notify, OweData, RecordData, RecordDecision


class RecordDecisionInput(BaseModel):
    project_id: str
    record: RecordDecision


class GrantNameInput(BaseModel):
    project_id: str
    grant: GrantName


class EndNameInput(BaseModel):
    project_id: str
    end: EndName


class NotifyInput(BaseModel):
    project_id: str
    notify: Notify


class SyncProjectInput(BaseModel):
    row: ProjectRow


class StepInput(BaseModel):
    """Everything one step of a process writes, applied in one transaction.

    The effects are grouped by kind (in the order they were queued within each kind) so the
    payload decodes without guessing which model a dict is; grants are written before endings,
    so a name granted and ended within the same step keeps its foreign key.
    """

    project_id: str
    records: list[RecordDecision] = []
    grants: list[GrantName] = []
    endings: list[EndName] = []
    notices: list[Notify] = []
    obligations: list[OweData] = []
    data: list[RecordData] = []
    row: ProjectRow

    @classmethod
    def of(cls, project_id: str, effects: list[Effect], row: ProjectRow) -> "StepInput":
        return cls(
            project_id=project_id,
            records=[e for e in effects if isinstance(e, RecordDecision)],
            grants=[e for e in effects if isinstance(e, GrantName)],
            endings=[e for e in effects if isinstance(e, EndName)],
            notices=[e for e in effects if isinstance(e, Notify)],
            obligations=[e for e in effects if isinstance(e, OweData)],
            data=[e for e in effects if isinstance(e, RecordData)],
            row=row,
        )
