"""Each action is declared once (domain.actions, api.actions); every table is read from that."""

from typing import Any

import pytest
from pydantic import TypeAdapter

from api import actions as api_actions
from api import examples
from api.actions import ACTION_DOCS, ACTION_FIELD_LABELS, DOCS, ActionDoc
from api.app import create_app
from api.messages import FIELD_LABELS
from api.schemas import ACTION_BODIES
from domain import actions as domain_actions
from domain.actions import ACTION_SPECS, DECLARATIONS, TASK_SPECS, Action, TaskKind
from domain.credit_code import is_valid_credit_code
from domain.decisions import ACTION_LABELS, DECISION_TYPES, Decision
from domain.lifecycle import _DECIDE
from domain.rules import ACTION_ROLES, ACTION_STAGES
from domain.state import TASK_ACTIONS, TASK_LABELS, TASK_ROLES

DECISION = TypeAdapter[Decision](Decision)


def test_every_action_is_declared_and_documented_exactly_once() -> None:
    assert sorted(d.action for d in DECLARATIONS) == sorted(Action)
    assert sorted(d.action for d in DOCS) == sorted(Action)
    assert list(ACTION_SPECS) == list(Action)
    assert list(ACTION_DOCS) == list(Action)


def test_a_missing_or_repeated_declaration_is_refused() -> None:
    with pytest.raises(ValueError, match="declared exactly once"):
        domain_actions._by_action(DECLARATIONS[1:])
    with pytest.raises(ValueError, match="declared exactly once"):
        domain_actions._by_action((*DECLARATIONS, DECLARATIONS[0]))
    with pytest.raises(ValueError, match="documented exactly once"):
        api_actions._by_action(DOCS[1:])


def test_every_derived_table_covers_every_action_from_its_declaration() -> None:
    for action, spec in ACTION_SPECS.items():
        assert spec.action is action
        assert action.spec is spec
        assert action.label == ACTION_LABELS[action] == spec.label
        assert ACTION_ROLES[action] == spec.roles
        assert ACTION_STAGES[action] == spec.stages
        assert DECISION_TYPES[action].model_fields["action"].default is action
        assert issubclass(ACTION_BODIES[action], DECISION_TYPES[action])
        assert ACTION_BODIES[action].__name__ == f"{DECISION_TYPES[action].__name__}Body"
        assert examples.ACTIONS[action] == dict(ACTION_DOCS[action].examples)
    tables: list[dict[Action, Any]] = [
        ACTION_LABELS,
        DECISION_TYPES,
        ACTION_ROLES,
        ACTION_STAGES,
        ACTION_BODIES,
        examples.ACTIONS,
    ]
    for table in tables:
        assert list(table) == list(Action)


def test_every_task_kind_is_answered_by_one_action_of_one_role() -> None:
    assert list(TASK_SPECS) == list(TaskKind)
    for kind, spec in TASK_SPECS.items():
        assert spec.task is not None
        assert spec.task.kind is kind
        assert kind.label == TASK_LABELS[kind] == spec.task.label
        assert kind.action is TASK_ACTIONS[kind] is spec.action
        assert kind.role is TASK_ROLES[kind]
        assert spec.roles == {kind.role}
    answered = [d.task.kind for d in DECLARATIONS if d.task]
    assert sorted(answered) == sorted(TaskKind)


def test_every_body_has_a_handler() -> None:
    assert set(_DECIDE) == set(DECISION_TYPES.values())


def test_only_a_body_without_required_fields_may_be_left_out() -> None:
    optional = [a for a, doc in ACTION_DOCS.items() if not doc.body_required]
    assert optional == [Action.REQUEST_ACCEPTANCE]


@pytest.mark.parametrize("action", list(Action))
def test_the_examples_are_valid_bodies_of_their_action(action: Action) -> None:
    doc = ACTION_DOCS[action]
    assert doc.examples
    for name, example in doc.examples.items():
        ACTION_BODIES[action].model_validate(example["value"])
        decision = DECISION.validate_python({"action": action.value, **example["value"]})
        assert decision.action is action, name


def test_every_body_field_has_a_chinese_label() -> None:
    for body in DECISION_TYPES.values():
        for field in set(body.model_fields) - {"action"}:
            assert FIELD_LABELS[field] == ACTION_FIELD_LABELS[field], (body, field)


def test_two_labels_for_one_field_are_refused() -> None:
    clash = ActionDoc(action=Action.WITHDRAW, examples={}, fields={"passed": "通过与否"})
    with pytest.raises(ValueError, match="passed"):
        api_actions._field_labels((*DOCS, clash))


def test_each_route_is_documented_from_the_declarations() -> None:
    spec = create_app().openapi()
    for action, doc in ACTION_DOCS.items():
        operation = spec["paths"][f"/v1/projects/{{project_id}}/actions/{action.value}"]["post"]
        roles = "、".join(r.label for r in sorted(doc.spec.roles))
        assert operation["summary"] == f"{action.label}（{roles}）"
        assert operation["operationId"] == f"action_{action.value.replace('-', '_')}"
        body = operation["requestBody"]
        assert body.get("required", False) is doc.body_required
        assert body["content"]["application/json"]["examples"] == doc.examples


def test_example_credit_codes_are_shanghai_ones() -> None:
    codes = [examples.PROJECT["unit"]["credit_code"]]
    codes += [
        e["unit"]["credit_code"] for e in (examples.IMPORTED_DISTRICT, examples.REGIONAL_PROJECT)
    ]
    for code in codes:
        assert is_valid_credit_code(code), code
        assert code[2:4] == "31", code  # the registering authority's area code: Shanghai
