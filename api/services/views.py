"""Turning the workflow's state and the read model into response schemas."""

from datetime import UTC, datetime
from typing import Any

from api.schemas import (
    ActorRead,
    ContactRead,
    HistoryRead,
    NameEndingRead,
    NameRead,
    NationalBaseRead,
    PendingDecisionRead,
    ProjectRead,
    ProjectSummary,
    ScheduleRead,
    ServiceItemRead,
    TypicalCaseRead,
    UnitRead,
)
from db import tables
from domain.actors import Actor
from domain.districts import district_name
from domain.project import Contact, ProjectType, ServiceItem
from domain.rules import actions_by_role, allowed_actions
from domain.stages import Level, Stage
from domain.state import NameRecord, ProjectState, Task, deadline_day


def is_overdue(task: Task, now: datetime) -> bool:
    """Past its due date: the workflow has escalated it, or the wall clock says so."""
    return task.escalated or task.due_at <= now


def contact_read(contact: Contact) -> ContactRead:
    """A contact as responses show it."""
    return ContactRead(person=contact.person, phone=contact.phone, email=contact.email)


def service_item_read(item: ServiceItem) -> ServiceItemRead:
    """A service item with its element's Chinese name."""
    return ServiceItemRead(element=item.element, element_label=item.element.label, title=item.title)


def name_read(record: NameRecord) -> NameRead:
    """An entry of the names register, with its ending if any."""
    ending = record.ending
    return NameRead(
        level=record.level,
        level_label=record.level.label,
        name=record.name,
        granted_on=record.granted_on,
        granted_by=record.granted_by,
        granted_by_label=record.granted_by.label,
        active=record.active,
        ending=None
        if ending is None
        else NameEndingRead(
            kind=ending.kind,
            kind_label="取消" if ending.kind == "cancelled" else "撤消",
            on=ending.on,
            at=ending.at,
            by=ending.by,
            by_label=ending.by.label,
            reason=ending.reason,
        ),
    )


def pending_read(task: Task, now: datetime) -> PendingDecisionRead:
    """A decision the process waits for, overdue marked."""
    return PendingDecisionRead(
        kind=task.kind,
        label=task.kind.label,
        action=task.action,
        waiting_for=task.role,
        waiting_for_label=task.role.label,
        opened_at=task.opened_at,
        due_at=task.due_at,
        due_on=deadline_day(task.due_at, task.due_rule),
        due_rule=task.due_rule,
        reminder_at=task.reminder_at,
        overdue=is_overdue(task, now),
        escalated=task.escalated,
        period=task.period,
    )


def project_read(state: ProjectState, actor: Actor, now: datetime | None = None) -> ProjectRead:
    """The project as `actor` sees it: everything the state knows and what they may do now."""
    now = now or datetime.now(UTC)
    spec = state.spec
    return ProjectRead(
        id=state.project_id,
        name=state.display_name,
        stage=state.stage,
        stage_label=state.stage.label,
        level=state.level,
        level_label=state.level.label,
        ended=state.stage.is_end,
        unit=UnitRead(
            name=spec.unit.name,
            credit_code=spec.unit.credit_code,
            contact=contact_read(spec.unit.contact),
        ),
        district=spec.district,
        district_name=district_name(spec.district),
        type=spec.type,
        type_label=spec.type.label,
        focus=spec.focus,
        service_items=[service_item_read(item) for item in spec.service_items],
        basic_conditions=spec.basic_conditions,
        registered_at=state.registered_at,
        next_deadline=state.next_deadline,
        names=[name_read(n) for n in state.names],
        pending_decisions=[
            pending_read(t, now) for t in sorted(state.tasks, key=lambda t: t.due_at)
        ],
        schedule=ScheduleRead(
            next_district_evaluation_at=state.next_district_evaluation_at,
            next_municipal_review_at=state.next_municipal_review_at,
            rectification_deadline=state.rectification_deadline,
            rectification_deadline_on=(
                deadline_day(state.rectification_deadline, state.rectification_deadline_rule)
                if state.rectification_deadline
                else None
            ),
            rectification_deadline_rule=state.rectification_deadline_rule,
            rectification_reported=state.rectification_reported,
        ),
        history=[
            HistoryRead(
                seq=e.seq,
                at=e.at,
                event=e.event,
                summary=e.summary,
                actor=None
                if e.actor is None
                else ActorRead(
                    role=e.actor.role,
                    role_label=e.actor.role.label,
                    label=e.actor.label,
                    district=e.actor.district,
                    credit_code=e.actor.credit_code,
                ),
                stage_before=e.stage_before,
                stage_after=e.stage_after,
                details=e.payload,
            )
            for e in state.history
        ],
        allowed_actions=allowed_actions(state, actor),
        actions_by_role=actions_by_role(state),
        typical_case=(
            TypicalCaseRead.model_validate(state.typical_case.model_dump())
            if state.typical_case
            else None
        ),
        national_base=(
            NationalBaseRead(recommended_on=base.recommended_on, note=base.note)
            if (base := state.national_base_mark)
            else None
        ),
        data_submitted=list(state.data_submitted),
    )


# What a list item reads of a read-model row: never the spec or the tasks (JSON to decode).
SUMMARY_COLUMNS = (
    tables.Project.id,
    tables.Project.display_name,
    tables.Project.unit_name,
    tables.Project.credit_code,
    tables.Project.district,
    tables.Project.type,
    tables.Project.focus,
    tables.Project.stage,
    tables.Project.level,
    tables.Project.next_deadline,
    tables.Project.registered_at,
    tables.Project.updated_at,
)


def project_summary(row: Any) -> ProjectSummary:
    """A read-model row (its SUMMARY_COLUMNS) as a list item."""
    stage, level = Stage(row.stage), Level(row.level)
    return ProjectSummary(
        id=row.id,
        name=row.display_name,
        unit_name=row.unit_name,
        credit_code=row.credit_code,
        district=row.district,
        district_name=district_name(row.district),
        type=ProjectType(row.type),
        focus=row.focus,
        stage=stage,
        stage_label=stage.label,
        level=level,
        level_label=level.label,
        next_deadline=row.next_deadline,
        registered_at=row.registered_at,
        updated_at=row.updated_at,
    )
