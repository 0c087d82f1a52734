"""Decision bodies (docs/api-guide.md "Actions"): one typed body per action, parsed by its `action`."""

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.actors import Role
from domain.decisions import (
    DECISION_TYPES,
    Action,
    ApplyMunicipal,
    Decision,
    DecisionRequest,
    EvaluateMunicipal,
    Finding,
    ReportViolation,
    Scores,
    Withdraw,
)
from domain.rules import ACTION_ROLES, ACTION_STAGES
from tests.domain.conftest import UNIT, all_conditions

DECISION = TypeAdapter[Decision](Decision)


def test_every_action_has_a_body_roles_stages_and_a_label() -> None:
    for action in Action:
        assert DECISION_TYPES[action].model_fields["action"].default is action
        assert ACTION_ROLES[action]
        assert ACTION_STAGES[action]
        assert action.label


def test_request_parses_the_body_chosen_by_its_action() -> None:
    request = DecisionRequest.model_validate(
        {
            "actor": {"role": "unit", "credit_code": UNIT.credit_code},
            "decision": {"action": "withdraw", "reason": "  不再建设  "},
        }
    )
    assert request.actor.role is Role.UNIT
    assert isinstance(request.decision, Withdraw)
    assert request.decision.reason == "不再建设"


def test_violation_body_parses_scope_and_finding() -> None:
    body = DECISION.validate_python(
        {"action": "report-violation", "scope": "municipal", "finding": "false_data"}
    )
    assert isinstance(body, ReportViolation)
    assert body.finding is Finding.FALSE_DATA
    assert body.finding.label == "提供不实数据"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "withdraw", "reason": "   "},
        {"action": "withdraw"},
        {"action": "decide-acceptance", "passed": True, "extra": 1},
        {"action": "report-violation", "scope": "national", "finding": "false_data"},
        {"action": "report-violation", "scope": "district", "finding": "rumour"},
        {"action": "submit-everything"},
        {"action": "withdraw", "reason": "x", "note": "n" * 2001},
    ],
)
def test_malformed_bodies_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DECISION.validate_python(body)


@pytest.mark.parametrize("value", [-1, 100.5])
def test_scores_are_between_0_and_100(value: float) -> None:
    with pytest.raises(ValidationError):
        Scores(operation=value, capability=50, effectiveness=50)


def test_scores_accept_the_bounds() -> None:
    body = EvaluateMunicipal(
        passed=True, scores=Scores(operation=0, capability=100, effectiveness=50)
    )
    assert body.scores.capability == 100


def test_unmet_municipal_conditions_are_listed_in_article_order() -> None:
    conditions = all_conditions().model_copy(update={"governance": False, "steady_service": False})
    assert [u[:3] for u in conditions.unmet()] == ["（一）", "（二）"]
    assert ApplyMunicipal(conditions=all_conditions()).conditions.unmet() == []
