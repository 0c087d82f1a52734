"""The `projects` read-model row of a project's state: one definition for API and activity."""

from typing import Any

from domain.state import ProjectState


def project_values(state: ProjectState) -> dict[str, Any]:
    """Column values of the `projects` row that mirrors `state`."""
    spec = state.spec
    return {
        "id": state.project_id,
        "credit_code": spec.unit.credit_code,
        "unit_name": spec.unit.name,
        "district": spec.district,
        "type": spec.type.value,
        "focus": spec.focus,
        "display_name": state.display_name,
        "stage": state.stage.value,
        "level": state.level.value,
        "next_deadline": state.next_deadline,
        "spec": spec.model_dump(mode="json"),
        "state_seq": state.seq,
        "registered_at": state.registered_at,
    }
