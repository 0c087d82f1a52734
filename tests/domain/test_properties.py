"""Random walks through the lifecycle: whatever is decided, the invariants of §4–§6 hold.

Each walk lets time pass and takes decisions, mostly allowed ones (so walks get far), some
allowed with a body that must still be refused (unmet conditions, an early failing review), and
some from anyone at all, a unit or bureau of another scope included. At every step:

- a refusal changes nothing and says why in Chinese: the end stage, the roles that may take the
  decision, the caller's scope, the stage, or the timing or body, then what is possible now;
- the state survives a JSON round trip unchanged (continue-as-new carries it serialised), and
  the walk continues from the copy;
- sequence numbers and history only grow: each event adds one entry, numbered next;
- names are only appended or ended, never rewritten; notification keys are never reused.
"""

from collections import Counter
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.actors import Actor, Role
from domain.decisions import (
    Action,
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    EvaluateDistrict,
    EvaluateMunicipal,
    Finding,
    KeepMunicipalName,
    MunicipalConditions,
    RecommendMunicipal,
    RecommendNationalBase,
    ReportRectification,
    ReportViolation,
    RequestAcceptance,
    ReviewMunicipal,
    ReviewRectification,
    Scores,
    SelectTypicalCase,
    SubmitData,
    UpdateProfile,
    Withdraw,
    WithdrawTypicalCase,
)
from domain.effects import Effect
from domain.elements import Element
from domain.project import BasicConditions, Condition, Contact, ServiceItem
from domain.rules import DecisionRefused, allowed_actions
from domain.stages import DISTRICT_LEVEL_STAGES, MUNICIPAL_LEVEL_STAGES, Level, Stage
from domain.state import RULES, HistoryEntry, ProjectState, TaskKind
from domain.timers import advance_time, next_wakeup
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    MUNICIPAL_BUREAU,
    OPERATOR,
    OTHER_DISTRICT_BUREAU,
    OTHER_UNIT,
    REGISTERED_AT,
    UNIT,
    all_conditions,
    assert_names_only_appended,
    decide,
    make_state,
    notifications,
)

ACTORS = [UNIT, OPERATOR, DISTRICT_BUREAU, OTHER_DISTRICT_BUREAU, MUNICIPAL_BUREAU, OTHER_UNIT]
# The project's own actor of each role, to ask what each role may do now.
OWN = {a.role: a for a in (UNIT, OPERATOR, DISTRICT_BUREAU, MUNICIPAL_BUREAU)}

# Written out by hand from docs/regulation.md (not taken from domain.rules).
ROLES: dict[Action, set[Role]] = {
    Action.REQUEST_ACCEPTANCE: {Role.UNIT, Role.OPERATOR},
    Action.DECIDE_ACCEPTANCE: {Role.DISTRICT_BUREAU},
    Action.WITHDRAW: {Role.UNIT},
    Action.EVALUATE_DISTRICT: {Role.DISTRICT_BUREAU},
    Action.APPLY_MUNICIPAL: {Role.UNIT},
    Action.RECOMMEND_MUNICIPAL: {Role.DISTRICT_BUREAU},
    Action.EVALUATE_MUNICIPAL: {Role.MUNICIPAL_BUREAU},
    Action.REVIEW_MUNICIPAL: {Role.MUNICIPAL_BUREAU},
    Action.REPORT_RECTIFICATION: {Role.UNIT},
    Action.REVIEW_RECTIFICATION: {Role.MUNICIPAL_BUREAU},
    Action.REPORT_VIOLATION: {Role.DISTRICT_BUREAU, Role.MUNICIPAL_BUREAU},
    Action.KEEP_MUNICIPAL_NAME: {Role.MUNICIPAL_BUREAU},
    Action.UPDATE_PROFILE: {Role.UNIT, Role.OPERATOR},
    Action.SUBMIT_DATA: {Role.UNIT},
    Action.SELECT_TYPICAL_CASE: {Role.MUNICIPAL_BUREAU},
    Action.WITHDRAW_TYPICAL_CASE: {Role.MUNICIPAL_BUREAU},
    Action.RECOMMEND_NATIONAL_BASE: {Role.MUNICIPAL_BUREAU},
}
LIVE = set(Stage) - {Stage.WITHDRAWN, Stage.REJECTED, Stage.CANCELLED, Stage.REVOKED}
NAMED = LIVE - {Stage.BUILDING, Stage.ACCEPTANCE}
STAGES: dict[Action, set[Stage]] = {
    Action.REQUEST_ACCEPTANCE: {Stage.BUILDING},
    Action.DECIDE_ACCEPTANCE: {Stage.ACCEPTANCE},
    Action.WITHDRAW: {Stage.BUILDING, Stage.ACCEPTANCE},
    Action.EVALUATE_DISTRICT: {
        Stage.DISTRICT_NAMED,
        Stage.MUNICIPAL_RECOMMENDATION,
        Stage.MUNICIPAL_EVALUATION,
    },
    Action.APPLY_MUNICIPAL: {Stage.DISTRICT_NAMED},
    Action.RECOMMEND_MUNICIPAL: {Stage.MUNICIPAL_RECOMMENDATION},
    Action.EVALUATE_MUNICIPAL: {Stage.MUNICIPAL_EVALUATION},
    Action.REVIEW_MUNICIPAL: {Stage.MUNICIPAL_NAMED},
    Action.REPORT_RECTIFICATION: {Stage.RECTIFICATION},
    Action.REVIEW_RECTIFICATION: {Stage.RECTIFICATION},
    Action.REPORT_VIOLATION: LIVE,
    Action.KEEP_MUNICIPAL_NAME: {Stage.MUNICIPAL_NAMED, Stage.RECTIFICATION},
    Action.UPDATE_PROFILE: LIVE,
    Action.SUBMIT_DATA: NAMED,
    Action.SELECT_TYPICAL_CASE: NAMED,
    Action.WITHDRAW_TYPICAL_CASE: NAMED,
    Action.RECOMMEND_NATIONAL_BASE: NAMED,
}
# What a refusal for timing or body says (the decision itself is allowed in this stage).
TIMING_OR_BODY = (
    "尚未到期",  # an evaluation or review not due yet
    "暂不能复评",  # a rectification review before the deadline or a report
    "整改期届满",  # an early rectification review that fails it
    "不满足第七条",  # unmet municipal conditions
    "整改报告，不能再提交",  # too many rectification reports
    "只能由其撤消",  # a violation at the other bureau's level
    "尚无市级命名或市级申请",  # a municipal violation with nothing municipal to end
    "须在 note 中写明",  # a finding or an off-cycle cancellation without what was found
    "没有区市场监管局移送",  # keeping the municipal name with nothing referred
    "区级命名已撤消",  # a district finding with no district name left
    "不满足第五条基本条件",  # acceptance while a basic condition is unmet (after a profile update)
    "如需更换请先撤回",  # a typical case selected while one is
    "未入选典型案例",  # withdrawing a typical case there is none of
    "只有市级项目可推荐",  # a national base for a project that is not municipal
    "推荐申报国家质量基础设施集成服务基地",  # recommended already under this municipal name
)
# What a refusal of a data period says (422 naming `period`, not 409).
DATA_PERIOD = ("尚未结束", "无法识别")

SCORES = st.builds(
    Scores,
    operation=st.floats(0, 100),
    capability=st.floats(0, 100),
    effectiveness=st.floats(0, 100),
)
NOTE = st.none() | st.sampled_from(["意见", "经核查"])
EMAIL = st.sampled_from(["lisi@example.cn", "contact@example.cn"])
TITLE = st.sampled_from(["计量校准服务", "团体标准制定辅导", "检验检测咨询"])
# Mostly met, so a profile update rarely blocks the walk's acceptance.
CONDITION = st.builds(
    Condition, met=st.sampled_from([True, True, True, False]), evidence=st.just("见附件")
)
PROFILE_UPDATE = (
    st.tuples(
        st.none()
        | st.builds(Contact, person=st.just("李四"), phone=st.just("021-11111111"), email=EMAIL),
        st.none()
        | st.lists(
            st.builds(ServiceItem, element=st.sampled_from(Element), title=TITLE),
            min_size=1,
            max_size=3,
        ),
        st.none()
        | st.builds(
            BasicConditions,
            plan_fit=CONDITION,
            five_element_capability=CONDITION,
            systems_and_resources=CONDITION,
        ),
    )
    .filter(lambda parts: any(part is not None for part in parts))
    .map(lambda p: UpdateProfile(contact=p[0], service_items=p[1], basic_conditions=p[2]))
)
BODIES: dict[Action, st.SearchStrategy[Decision]] = {
    Action.REQUEST_ACCEPTANCE: st.builds(RequestAcceptance, note=NOTE),
    Action.DECIDE_ACCEPTANCE: st.just(DecideAcceptance(passed=True))
    | st.just(DecideAcceptance(passed=False, note="资料不全")),
    Action.WITHDRAW: st.builds(Withdraw, reason=st.sampled_from(["放弃", "场地调整"])),
    Action.EVALUATE_DISTRICT: st.builds(
        EvaluateDistrict, meets_conditions=st.booleans(), note=NOTE
    ),
    Action.APPLY_MUNICIPAL: st.builds(
        ApplyMunicipal,
        conditions=st.builds(
            MunicipalConditions,
            governance=st.booleans(),
            steady_service=st.booleans(),
            leading_capability=st.booleans(),
            replicable_practice=st.booleans(),
        ),
    ),
    Action.RECOMMEND_MUNICIPAL: st.builds(RecommendMunicipal, recommend=st.booleans(), note=NOTE),
    Action.EVALUATE_MUNICIPAL: st.builds(
        EvaluateMunicipal, passed=st.booleans(), scores=SCORES, note=NOTE
    ),
    Action.REVIEW_MUNICIPAL: st.builds(ReviewMunicipal, passed=st.booleans(), scores=SCORES),
    Action.REPORT_RECTIFICATION: st.integers(1, 800).map(
        lambda n: ReportRectification(report="整改" * n)
    ),
    Action.REVIEW_RECTIFICATION: st.builds(ReviewRectification, passed=st.booleans()),
    Action.REPORT_VIOLATION: st.builds(
        ReportViolation,
        scope=st.sampled_from(["district", "municipal"]),
        finding=st.sampled_from(Finding),
        note=NOTE,
    ),
    Action.KEEP_MUNICIPAL_NAME: st.builds(
        KeepMunicipalName, reason=st.sampled_from(["市级材料属实", "经复核保留"])
    ),
    Action.UPDATE_PROFILE: PROFILE_UPDATE,
    Action.SUBMIT_DATA: st.builds(
        SubmitData,
        period=st.sampled_from(["2023", "2024", "2025", "2026", "2027", "2030", "2026-07"]),
        smes_served=st.integers(0, 500),
        services=st.dictionaries(st.sampled_from(Element), st.integers(0, 900), max_size=5),
        improvements=st.just("缩短检测周期"),
    ),
    Action.SELECT_TYPICAL_CASE: st.builds(
        SelectTypicalCase, title=st.just("一站式服务"), summary=st.just("整合资源")
    ),
    Action.WITHDRAW_TYPICAL_CASE: st.builds(WithdrawTypicalCase, reason=st.just("内容更新")),
    Action.RECOMMEND_NATIONAL_BASE: st.builds(RecommendNationalBase, note=st.just("推荐")),
}
# Decisions that end the process or a level are kept rare, so walks get far; a profile update,
# open in every live stage, moves nothing forward and is left to the "anything" draws.
ENDING = {Action.WITHDRAW, Action.REPORT_VIOLATION}
SIDE = {
    Action.UPDATE_PROFILE,
    Action.SUBMIT_DATA,
    Action.SELECT_TYPICAL_CASE,
    Action.RECOMMEND_NATIONAL_BASE,
}  # (withdrawing a typical case, allowed only after one, stays onward so walks reach it)
# Onward moves mostly pass, so walks reach the municipal stages; the rest vary as above.
ONWARD_BODIES = {
    **BODIES,
    Action.EVALUATE_DISTRICT: st.just(EvaluateDistrict(meets_conditions=True)),
    Action.APPLY_MUNICIPAL: st.just(ApplyMunicipal(conditions=all_conditions()))
    | BODIES[Action.APPLY_MUNICIPAL],
    Action.RECOMMEND_MUNICIPAL: st.builds(RecommendMunicipal, recommend=st.just(True), note=NOTE),
    Action.EVALUATE_MUNICIPAL: st.builds(
        EvaluateMunicipal, passed=st.just(True), scores=SCORES, note=NOTE
    ),
}


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
        assert municipal is not None
        assert state.next_district_evaluation_at is None
    if state.task(TaskKind.VIOLATION_REFERRAL) is not None:
        # 谁命名谁撤消: the district name is revoked, the municipal one waits for its bureau.
        assert district is None
        assert municipal is not None
    if state.stage.is_end:
        assert district is None
        assert municipal is None
        assert state.tasks == []
        assert next_wakeup(state) is None
    # One task of each kind; data tasks one per period.
    kinds = [(t.kind, t.period) for t in state.tasks]
    assert len(kinds) == len(set(kinds))
    assert all((t.period is None) == (t.kind is not TaskKind.DATA_SUBMISSION) for t in state.tasks)
    wake = next_wakeup(state)
    if wake is not None:
        assert all(wake <= t.due_at for t in state.tasks if not t.escalated)


def _check_refusal(
    state: ProjectState, actor: Actor, decision: Decision, refusal: DecisionRefused
) -> str:
    """The message says why (the first reason that applies), then what is possible now."""
    action, stage = decision.action, state.stage
    reason, _, possible = refusal.message.partition("。当前")
    if refusal.field is not None:
        assert isinstance(decision, SubmitData)
        assert refusal.field == "period"
        assert any(marker in reason for marker in DATA_PERIOD), reason
        assert refusal.allowed == allowed_actions(state, actor)
        return "data period"
    if stage.is_end:
        assert reason == f"项目已结束（{stage.label}），不再接受任何决定"
        why = "ended"
    elif actor.role not in ROLES[action]:
        assert reason.startswith(f"“{action.label}”只能由")
        assert all(role.label in reason for role in ROLES[action])
        assert reason.endswith(f"当前身份为{actor.role.label}")
        why = "role"
    elif actor == OTHER_DISTRICT_BUREAU:
        assert reason.endswith("区市场监管局只能处理本区项目")
        why = "district"
    elif actor == OTHER_UNIT:
        assert reason == "实施单位只能处理本单位的项目"
        why = "unit"
    elif stage not in STAGES[action]:
        assert reason == f"项目当前阶段为“{stage.label}”，不能执行“{action.label}”"
        why = "stage"
    else:
        assert any(marker in reason for marker in TIMING_OR_BODY), reason
        if isinstance(decision, ApplyMunicipal):
            assert all(label in reason for label in decision.conditions.unmet())
        why = "timing or body"
    open_to = {role: allowed_actions(state, own) for role, own in OWN.items()}
    if any(open_to.values()):
        assert possible.startswith("可执行：")
        for role, actions in open_to.items():
            for allowed in actions:
                assert f"{allowed.label}（{allowed.value}）" in possible
            assert (role.label in possible) == bool(actions)
    else:
        assert possible == "没有可执行的决定"
    assert refusal.allowed == allowed_actions(state, actor)
    return why


def _check_growth(before: list[HistoryEntry], before_seq: int, state: ProjectState) -> None:
    """Events are only appended, numbered one after another, up to the state's number."""
    assert state.seq >= before_seq
    assert state.history[: len(before)] == before
    added = state.history[len(before) :]
    assert [e.seq for e in added] == list(range(before_seq + 1, state.seq + 1))


def _round_trip(state: ProjectState) -> ProjectState:
    """What continue-as-new hands the next run: the state through JSON."""
    copy = ProjectState.model_validate_json(state.model_dump_json())
    assert copy == state
    assert copy.model_dump() == state.model_dump()
    return copy


def _moves(state: ProjectState, onward: bool) -> list[tuple[Actor, Action]]:
    return [
        (actor, action)
        for actor in ACTORS
        for action in allowed_actions(state, actor)
        if not (onward and action in ENDING | SIDE)
    ]


# What the walks reached, over all examples of one run (see the test at the end).
REACHED: Counter[str] = Counter()


def _endings(state: ProjectState) -> list[tuple[Actor, Decision]]:
    """The decisions that would end the process or a level now, each once."""
    candidates: list[tuple[Actor, Decision]] = [
        (UNIT, Withdraw(reason="放弃")),
        (DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False, note="场地不再具备")),
        (
            DISTRICT_BUREAU,
            ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL, note="材料造假"),
        ),
        (
            MUNICIPAL_BUREAU,
            ReportViolation(scope="municipal", finding=Finding.FALSE_DATA, note="数据不实"),
        ),
    ]
    return [(a, d) for a, d in candidates if d.action in allowed_actions(state, a)]


def walk(data: st.DataObject, length: int) -> None:
    state = make_state(rules=RULES)
    now = REGISTERED_AT
    keys: list[str] = []
    for _ in range(length):
        now += timedelta(days=data.draw(st.integers(0, 400)))
        history = list(state.history)
        seq = state.seq
        before_names = [n.model_copy(deep=True) for n in state.names]
        effects: list[Effect] = advance_time(state, now)
        assert_names_only_appended(before_names, state.names)
        _check_growth(history, seq, state)
        keys += [n.key for n in notifications(effects)]
        state = _round_trip(state)
        onward = _moves(state, onward=True)
        roll = data.draw(st.integers(0, 19))
        if roll > 3 and not onward:
            _check_invariants(state)
            continue  # nothing to decide yet: let time pass
        if roll > 3:
            actor, action = data.draw(st.sampled_from(onward))
            decision = data.draw(ONWARD_BODIES[action])
        elif roll == 3 and (endings := _endings(state)):
            actor, decision = data.draw(st.sampled_from(endings))
        elif roll > 1 and (anything := _moves(state, onward=False)):
            # An allowed decision with any body: some must still be refused.
            actor, action = data.draw(st.sampled_from(anything))
            decision = data.draw(BODIES[action])
        else:
            actor = data.draw(st.sampled_from(ACTORS))
            decision = data.draw(st.sampled_from(list(BODIES)).flatmap(BODIES.__getitem__))
        allowed = decision.action in allowed_actions(state, actor)
        before = state.model_dump()
        history = list(state.history)
        seq = state.seq
        before_names = [n.model_copy(deep=True) for n in state.names]
        try:
            effects = decide(state, actor, decision, now)
        except DecisionRefused as refusal:
            assert state.model_dump() == before
            REACHED["refused: " + _check_refusal(state, actor, decision, refusal)] += 1
        else:
            assert allowed
            REACHED[f"taken: {decision.action.value}"] += 1
            REACHED[f"stage: {state.stage.value}"] += 1
            assert state.seq == seq + 1
            assert_names_only_appended(before_names, state.names)
            keys += [n.key for n in notifications(effects)]
        _check_growth(history, seq, state)
        state = _round_trip(state)
        _check_invariants(state)
    assert len(keys) == len(set(keys))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), length=st.integers(1, 40))
def test_random_walks_keep_the_invariants(data: st.DataObject, length: int) -> None:
    walk(data, length)


def test_walks_reach_every_decision_stage_and_refusal() -> None:
    # The same walks, derandomized so this does not depend on the seed: together they take
    # every decision, enter every stage and meet every reason for a refusal (a walk that never
    # got somewhere would check nothing there).
    REACHED.clear()
    walks = given(data=st.data(), length=st.integers(1, 40))(walk)
    settings(max_examples=150, deadline=None, derandomize=True, database=None)(walks)()
    expected = {f"taken: {a.value}" for a in Action} | {f"stage: {s.value}" for s in Stage}
    reasons = ("ended", "role", "district", "unit", "stage", "timing or body", "data period")
    expected |= {f"refused: {why}" for why in reasons}
    assert expected - set(REACHED) == set()
