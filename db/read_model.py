"""The `projects` read-model row of a project's state: one definition for API and activity."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from domain.state import ProjectState


class ProjectRow(BaseModel):
    """Column values of the `projects` row that mirrors a project's state."""

    id: str
    credit_code: str
    unit_name: str
    district: str
    type: str
    focus: str
    display_name: str
    stage: str
    level: str
    next_deadline: datetime | None
    spec: dict[str, Any]
    state_seq: int
    registered_at: datetime
    # What the tasks inbox needs, so it reads the database and not every process.
    tasks: list[dict[str, Any]]
    rectification_deadline: datetime | None
    rectification_reported: bool
    # What the directory publishes besides the name (Art. 9.4, 11, 12); nothing internal.
    typical_case: dict[str, Any] | None = None
    national_base_on: date | None = None


def project_row(state: ProjectState) -> ProjectRow:
    spec = state.spec
    return ProjectRow(
        id=state.project_id,
        credit_code=spec.unit.credit_code,
        unit_name=spec.unit.name,
        district=spec.district,
        type=spec.type.value,
        focus=spec.focus,
        display_name=state.display_name,
        stage=state.stage.value,
        level=state.level.value,
        next_deadline=state.next_deadline,
        spec=spec.model_dump(mode="json"),
        state_seq=state.seq,
        registered_at=state.registered_at,
        tasks=[t.model_dump(mode="json") for t in state.tasks],
        rectification_deadline=state.rectification_deadline,
        rectification_reported=state.rectification_reported,
        typical_case=(
            state.typical_case.model_dump(mode="json", include={"title", "summary", "selected_on"})
            if state.typical_case
            else None
        ),
        national_base_on=base.recommended_on if (base := state.national_base_mark) else None,
    )
