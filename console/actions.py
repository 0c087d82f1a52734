"""One form per declared action, read from the declarations (domain.actions), the API's bodies
(api.schemas.ACTION_BODIES, made from domain.decisions) and their docs (api.actions).

Nothing here names an action: a newly declared one gets its form with no page code.
"""

from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel

from api.actions import ACTION_DOCS
from api.schemas import ACTION_BODIES
from console.fields import Field, fields_of
from domain.actions import ACTION_SPECS, Action
from domain.actors import Role


@dataclass(frozen=True)
class ActionForm:
    """The form of one action: its label, who may use it, its fields and its body model."""

    action: Action
    label: str
    roles: tuple[Role, ...]
    fields: tuple[Field, ...]
    body: type[BaseModel]
    examples: tuple[str, ...]

    @property
    def roles_label(self) -> str:
        return "、".join(r.label for r in self.roles)


@cache
def action_form(action: Action) -> ActionForm:
    """The form of `action`, from its declaration and body."""
    spec = ACTION_SPECS[action]
    body = ACTION_BODIES[action]
    return ActionForm(
        action=action,
        label=spec.label,
        roles=tuple(sorted(spec.roles)),
        fields=fields_of(body),
        body=body,
        examples=tuple(e["summary"] for e in ACTION_DOCS[action].examples.values()),
    )


def action_forms() -> list[ActionForm]:
    """Every declared action's form, in declaration order."""
    return [action_form(action) for action in ACTION_SPECS]
