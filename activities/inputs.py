"""Typed inputs of the activities (one model each, so signatures can evolve)."""

from pydantic import BaseModel

from db.read_model import ProjectRow
from domain.effects import EndName, GrantName, Notify, RecordDecision


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
