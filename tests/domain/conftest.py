"""Shared helpers for the domain tests: a project, actors, fixed instants and stage builders.

Everything is pure: states are built with `new_state` and driven with `apply_decision` and
`advance_time`, at fixed aware instants (UTC), never the wall clock.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from domain.actors import Actor, Role
from domain.credit_code import check_character
from domain.decisions import (
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    DecisionRequest,
    EvaluateMunicipal,
    MunicipalConditions,
    RecommendMunicipal,
    RequestAcceptance,
    ReviewMunicipal,
    Scores,
)
from domain.durations import start_of_day
from domain.effects import Effect, EndName, GrantName, Notify, Recipient, RecordDecision
from domain.lifecycle import apply_decision, new_state
from domain.policy import Policy
from domain.project import ImportedNaming, ProjectSpec
from domain.state import NameRecord, ProjectState
from domain.timers import advance_time

CREDIT_CODE = "91310115MA1H7XK2BM"  # a Shanghai code (浦东新区)
OTHER_CREDIT_CODE = "91310000MA1FL0000" + check_character("91310000MA1FL0000")
DISTRICT = "310115"
OTHER_DISTRICT = "310101"
PROJECT_ID = "p-1"
DISTRICT_NAME = "浦东新区生物医药质量基础设施“一站式”服务项目"
MUNICIPAL_NAME = "上海市生物医药质量基础设施集成服务项目"

UNIT = Actor(role=Role.UNIT, credit_code=CREDIT_CODE, label="张三")
OTHER_UNIT = Actor(role=Role.UNIT, credit_code=OTHER_CREDIT_CODE, label="李四")
OPERATOR = Actor(role=Role.OPERATOR, label="运营")
DISTRICT_BUREAU = Actor(role=Role.DISTRICT_BUREAU, district=DISTRICT, label="浦东局")
OTHER_DISTRICT_BUREAU = Actor(role=Role.DISTRICT_BUREAU, district=OTHER_DISTRICT, label="黄浦局")
MUNICIPAL_BUREAU = Actor(role=Role.MUNICIPAL_BUREAU, label="市局")

UNIT_RECIPIENT = Recipient(role=Role.UNIT, credit_code=CREDIT_CODE)
DISTRICT_RECIPIENT = Recipient(role=Role.DISTRICT_BUREAU, district=DISTRICT)
MUNICIPAL_RECIPIENT = Recipient(role=Role.MUNICIPAL_BUREAU)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC instant: utc(2024, 5, 10, 2) is 2024-05-10 10:00 in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def shanghai_midnight(year: int, month: int, day: int) -> datetime:
    """00:00 in Shanghai on that date, as a UTC instant (16:00 UTC the day before)."""
    return start_of_day(date(year, month, day))


# The reference timeline (Shanghai 10:00 on each day unless stated).
REGISTERED_AT = utc(2024, 5, 10, 2)
REQUESTED_AT = utc(2024, 5, 13, 2)
ACCEPTED_AT = utc(2024, 5, 20, 2)  # district name granted on 2024-05-20
APPLIED_AT = utc(2024, 6, 3, 2)
RECOMMENDED_AT = utc(2024, 6, 10, 2)
MUNICIPAL_NAMED_AT = utc(2024, 7, 1, 2)  # municipal name granted on 2024-07-01
FIRST_DISTRICT_EVALUATION = shanghai_midnight(2025, 5, 20)
FIRST_MUNICIPAL_REVIEW = shanghai_midnight(2027, 7, 1)
REVIEW_FAILED_AT = utc(2027, 7, 15, 2)
RECTIFICATION_DEADLINE = utc(2028, 1, 15, 2)


def project_body() -> dict[str, Any]:
    """The project body of docs/api-guide.md, as a client sends it."""
    return {
        "unit": {
            "name": "上海示例检测技术有限公司",
            "credit_code": CREDIT_CODE,
            "contact": {"person": "张三", "phone": "021-00000000", "email": "qis@example.cn"},
        },
        "district": DISTRICT,
        "type": "industry",
        "focus": "生物医药",
        "service_items": [{"element": "metrology", "title": "计量校准服务"}],
        "basic_conditions": {
            "plan_fit": True,
            "five_element_capability": True,
            "systems_and_resources": True,
        },
    }


def make_spec(**overrides: Any) -> ProjectSpec:
    """The docs/api-guide.md example project, with top-level fields replaced by `overrides`."""
    return ProjectSpec.model_validate({**project_body(), **overrides})


# The reference timeline's tests are about Art. 5–10 and were written before data collection
# (rules 4), whose yearly data tasks would interleave with every evaluation they follow; they run
# on rules 3. tests/domain/test_data.py follows rules 4 with the same builders (`rules=RULES`).
TIMELINE_RULES = 3


def make_state(
    policy: Policy | None = None,
    now: datetime = REGISTERED_AT,
    imported: ImportedNaming | None = None,
    rules: int = TIMELINE_RULES,
) -> ProjectState:
    state, _ = new_state(PROJECT_ID, make_spec(), policy or Policy(), now, imported, rules=rules)
    return state


def decide(state: ProjectState, actor: Actor, decision: Decision, now: datetime) -> list[Effect]:
    return apply_decision(state, DecisionRequest(actor=actor, decision=decision), now)


def scores(value: float = 80) -> Scores:
    return Scores(operation=value, capability=value, effectiveness=value)


def all_conditions(met: bool = True) -> MunicipalConditions:
    return MunicipalConditions(
        governance=met, steady_service=met, leading_capability=met, replicable_practice=met
    )


# Stage builders, each continuing the reference timeline.
def in_acceptance(policy: Policy | None = None) -> ProjectState:
    state = make_state(policy)
    decide(state, UNIT, RequestAcceptance(), REQUESTED_AT)
    return state


def district_named(policy: Policy | None = None) -> ProjectState:
    state = in_acceptance(policy)
    decide(state, DISTRICT_BUREAU, DecideAcceptance(passed=True), ACCEPTED_AT)
    return state


def in_municipal_recommendation(policy: Policy | None = None) -> ProjectState:
    state = district_named(policy)
    decide(state, UNIT, ApplyMunicipal(conditions=all_conditions()), APPLIED_AT)
    return state


def in_municipal_evaluation(policy: Policy | None = None) -> ProjectState:
    state = in_municipal_recommendation(policy)
    decide(state, DISTRICT_BUREAU, RecommendMunicipal(recommend=True), RECOMMENDED_AT)
    return state


def municipal_named(policy: Policy | None = None) -> ProjectState:
    state = in_municipal_evaluation(policy)
    decide(
        state,
        MUNICIPAL_BUREAU,
        EvaluateMunicipal(passed=True, scores=scores()),
        MUNICIPAL_NAMED_AT,
    )
    return state


def municipal_review_open(policy: Policy | None = None) -> ProjectState:
    """Municipal project whose first 3-year review task has opened (2027-07-01, Shanghai)."""
    state = municipal_named(policy)
    advance_time(state, FIRST_MUNICIPAL_REVIEW)
    return state


def in_rectification(policy: Policy | None = None) -> ProjectState:
    """The first 3-year review failed on 2027-07-15; deadline 2028-01-15 10:00 Shanghai."""
    state = municipal_review_open(policy)
    decide(
        state,
        MUNICIPAL_BUREAU,
        ReviewMunicipal(passed=False, scores=scores(40)),
        REVIEW_FAILED_AT,
    )
    return state


# Effect filters.
def notifications(effects: Sequence[Effect]) -> list[Notify]:
    return [e for e in effects if isinstance(e, Notify)]


def recipients(effects: Sequence[Effect]) -> list[Recipient]:
    return [r for n in notifications(effects) for r in n.recipients]


def recipient_set(effects: Sequence[Effect]) -> set[tuple[Role, str | None, str | None]]:
    return {(r.role, r.district, r.credit_code) for r in recipients(effects)}


def as_set(*items: Recipient) -> set[tuple[Role, str | None, str | None]]:
    return {(r.role, r.district, r.credit_code) for r in items}


def grants(effects: Sequence[Effect]) -> list[GrantName]:
    return [e for e in effects if isinstance(e, GrantName)]


def endings(effects: Sequence[Effect]) -> list[EndName]:
    return [e for e in effects if isinstance(e, EndName)]


def records(effects: Sequence[Effect]) -> list[RecordDecision]:
    return [e for e in effects if isinstance(e, RecordDecision)]


def assert_names_only_appended(before: Sequence[NameRecord], after: Sequence[NameRecord]) -> None:
    """The register grew or gained endings; nothing in it was deleted or rewritten."""
    assert len(after) >= len(before)
    for old, new in zip(before, after, strict=False):
        assert new.model_dump(exclude={"ending"}) == old.model_dump(exclude={"ending"})
        if old.ending is not None:
            assert new.ending == old.ending
