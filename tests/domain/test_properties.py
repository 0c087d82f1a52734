"""Random walks through the lifecycle: whatever is decided, the invariants of §4–§6 hold."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.actors import Actor
from domain.decisions import (
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    EvaluateDistrict,
    EvaluateMunicipal,
    Finding,
    RecommendMunicipal,
    ReportRectification,
    ReportViolation,
    RequestAcceptance,
    ReviewMunicipal,
    ReviewRectification,
    Withdraw,
)
from domain.effects import Effect
from domain.rules import DecisionRefused, allowed_actions
from domain.stages import DISTRICT_LEVEL_STAGES, MUNICIPAL_LEVEL_STAGES, Level, Stage
from domain.state import ProjectState
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    MUNICIPAL_BUREAU,
    OPERATOR,
    OTHER_DISTRICT_BUREAU,
    REGISTERED_AT,
    UNIT,
    all_conditions,
    assert_names_only_appended,
    decide,
    make_state,
    notifications,
    scores,
)

ACTORS = [UNIT, OPERATOR, DISTRICT_BUREAU, OTHER_DISTRICT_BUREAU, MUNICIPAL_BUREAU]
DECISIONS: list[Decision] = [
    RequestAcceptance(),
    DecideAcceptance(passed=True),
    DecideAcceptance(passed=False, note="资料不全"),
    Withdraw(reason="放弃"),
    EvaluateDistrict(meets_conditions=True),
    EvaluateDistrict(meets_conditions=False),
    ApplyMunicipal(conditions=all_conditions()),
    RecommendMunicipal(recommend=True),
    RecommendMunicipal(recommend=False),
    EvaluateMunicipal(passed=True, scores=scores()),
    EvaluateMunicipal(passed=False, scores=scores(30)),
    ReviewMunicipal(passed=True, scores=scores()),
    ReviewMunicipal(passed=False, scores=scores(30)),
    ReportRectification(report="整改完成"),
    ReviewRectification(passed=True),
    ReviewRectification(passed=False),
    ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL),
    ReportViolation(scope="municipal", finding=Finding.SERIOUS_VIOLATION),
]
ANY_MOVE = st.tuples(st.sampled_from(ACTORS), st.sampled_from(DECISIONS))


def _check_invariants(state: ProjectState) -> None:
    district = state.active_name(Level.DISTRICT)
    municipal = state.active_name(Level.MUNICIPAL)
    if state.stage in (Stage.BUILDING, Stage.ACCEPTANCE, Stage.WITHDRAWN, Stage.REJECTED):
        assert state.names == []
    if state.stage in DISTRICT_LEVEL_STAGES:
        assert district is not None
        assert municipal is None
        assert state.next_district_evaluation_at is not None or state.tasks
    if state.stage in MUNICIPAL_LEVEL_STAGES:
        assert district is not None
        assert municipal is not None
        assert state.next_district_evaluation_at is None
    if municipal is not None:
        assert district is not None, "a municipal name presupposes the district one"
    if state.stage.is_end:
        assert district is None
        assert municipal is None
        assert state.tasks == []
        assert next_wakeup(state) is None
    kinds = [t.kind for t in state.tasks]
    assert len(kinds) == len(set(kinds))
    wake = next_wakeup(state)
    if wake is not None:
        assert all(wake <= t.due_at for t in state.tasks if not t.escalated)


def _ends(decision: Decision) -> bool:
    """Whether a decision ends the process or a level (kept rare so walks get far)."""
    return isinstance(decision, ReportViolation | Withdraw) or (
        isinstance(decision, EvaluateDistrict) and not decision.meets_conditions
    )


def _allowed_moves(state: ProjectState) -> list[tuple[Actor, Decision]]:
    moves: list[tuple[Actor, Decision]] = []
    for actor in ACTORS:
        allowed = allowed_actions(state, actor)
        moves += [(actor, d) for d in DECISIONS if d.action in allowed]
    return moves


@settings(max_examples=150, deadline=None)
@given(data=st.data(), length=st.integers(1, 40))
def test_random_walks_keep_the_invariants(data: st.DataObject, length: int) -> None:
    state = make_state()
    now = REGISTERED_AT
    keys: list[str] = []
    for _ in range(length):
        now += timedelta(days=data.draw(st.integers(0, 400)))
        before_names = [n.model_copy(deep=True) for n in state.names]
        effects: list[Effect] = advance_time(state, now)
        assert_names_only_appended(before_names, state.names)
        keys += [n.key for n in notifications(effects)]
        moves = _allowed_moves(state)
        onward = [m for m in moves if not _ends(m[1])]
        roll = data.draw(st.integers(0, 19))
        if roll > 2 and not onward:
            _check_invariants(state)
            continue  # nothing to decide yet: let time pass
        if roll > 2:
            actor, decision = data.draw(st.sampled_from(onward))
        elif moves and roll > 0:
            actor, decision = data.draw(st.sampled_from(moves))
        else:
            actor, decision = data.draw(ANY_MOVE)
        allowed = decision.action in allowed_actions(state, actor)
        before = state.model_dump()
        before_names = [n.model_copy(deep=True) for n in state.names]
        try:
            effects = decide(state, actor, decision, now)
        except DecisionRefused:
            assert state.model_dump() == before
        else:
            assert allowed
            assert_names_only_appended(before_names, state.names)
            keys += [n.key for n in notifications(effects)]
        _check_invariants(state)
    assert len(keys) == len(set(keys))
