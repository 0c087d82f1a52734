"""Every notification, name entry and history line of whole lifecycles, word for word.

What people read (subjects, bodies, summaries in Chinese) and what systems key on (notification
keys, recipients, name keys) are part of the behaviour: each script below drives a project
through one set of paths, and its transcript must be exactly the expected one.
"""

from datetime import date, datetime

from domain.actors import Actor
from domain.decisions import (
    ApplyMunicipal,
    DecideAcceptance,
    Decision,
    EvaluateDistrict,
    EvaluateMunicipal,
    Finding,
    KeepMunicipalName,
    RecommendMunicipal,
    ReportRectification,
    ReportViolation,
    RequestAcceptance,
    ReviewMunicipal,
    ReviewRectification,
    Withdraw,
)
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.project import ImportedNaming
from domain.state import ProjectState
from domain.timers import advance_time
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    MUNICIPAL_BUREAU,
    OPERATOR,
    PROJECT_ID,
    REGISTERED_AT,
    TIMELINE_RULES,
    UNIT,
    all_conditions,
    decide,
    make_spec,
    scores,
    utc,
)
from tests.domain.transcript import history_line, lines

FOUND = "查实的事实"


class Script:
    """A project driven step by step, keeping the transcript of everything it produced."""

    def __init__(self, state: ProjectState, effects: list[str]) -> None:
        self.state = state
        self.transcript = effects

    def do(self, actor: Actor, decision: Decision, now: datetime) -> None:
        self.transcript += lines(advance_time(self.state, now))
        self.transcript += lines(decide(self.state, actor, decision, now))

    def wait(self, now: datetime) -> None:
        self.transcript += lines(advance_time(self.state, now))

    def history(self) -> list[str]:
        return [history_line(h) for h in self.state.history]


def registered() -> Script:
    state, effects = new_state(
        PROJECT_ID, make_spec(), Policy(), REGISTERED_AT, rules=TIMELINE_RULES
    )
    return Script(state, lines(effects))


REPORT = "甲" * 600  # a notification carries the first 500 characters of a report


def district_script() -> Script:
    """Acceptance refused then granted (late, so reminded and escalated), an evaluation, and
    three municipal applications: not recommended, not passed, passed."""
    s = registered()
    s.do(UNIT, RequestAcceptance(), utc(2024, 5, 13, 2))
    s.do(DISTRICT_BUREAU, DecideAcceptance(passed=False, note="资料不全"), utc(2024, 5, 20, 2))
    s.do(OPERATOR, RequestAcceptance(), utc(2024, 5, 21, 2))
    s.wait(utc(2024, 6, 20, 2))
    s.do(DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 6, 21, 2))
    s.do(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2025, 6, 25, 2))
    s.do(UNIT, ApplyMunicipal(conditions=all_conditions()), utc(2025, 7, 1, 2))
    s.do(DISTRICT_BUREAU, RecommendMunicipal(recommend=False), utc(2025, 7, 2, 2))
    s.do(UNIT, ApplyMunicipal(conditions=all_conditions()), utc(2025, 7, 3, 2))
    s.do(DISTRICT_BUREAU, RecommendMunicipal(recommend=True), utc(2025, 7, 4, 2))
    s.do(MUNICIPAL_BUREAU, EvaluateMunicipal(passed=False, scores=scores(50)), utc(2025, 7, 5, 2))
    s.do(UNIT, ApplyMunicipal(conditions=all_conditions()), utc(2025, 7, 6, 2))
    s.do(DISTRICT_BUREAU, RecommendMunicipal(recommend=True, note="推荐"), utc(2025, 7, 7, 2))
    s.do(MUNICIPAL_BUREAU, EvaluateMunicipal(passed=True, scores=scores()), utc(2025, 7, 8, 2))
    return s


def municipal_script() -> Script:
    """Three 3-year reviews: failed then rectified early, passed, failed and not rectified;
    back at district level, the next evaluation cancels the district name."""
    s = district_script()
    s.transcript = []
    s.do(MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=scores(40)), utc(2028, 7, 10, 2))
    s.wait(utc(2028, 12, 12, 2))
    s.do(UNIT, ReportRectification(report=REPORT), utc(2028, 12, 20, 2))
    s.wait(utc(2029, 1, 4, 2))
    s.do(MUNICIPAL_BUREAU, ReviewRectification(passed=True), utc(2029, 1, 5, 2))
    s.do(MUNICIPAL_BUREAU, ReviewMunicipal(passed=True, scores=scores()), utc(2031, 7, 9, 2))
    s.do(MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=scores(30)), utc(2034, 7, 9, 2))
    s.do(MUNICIPAL_BUREAU, ReviewRectification(passed=False), utc(2035, 1, 10, 2))
    s.wait(utc(2035, 6, 22, 2))
    return s


def cancelled_script() -> Script:
    """A district project whose first evaluation finds the conditions no longer met."""
    s = registered()
    s.do(UNIT, RequestAcceptance(), utc(2024, 5, 13, 2))
    s.do(DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 5, 20, 2))
    s.transcript = []
    s.do(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=False), utc(2025, 5, 22, 2))
    return s


def withdrawn_script() -> Script:
    s = registered()
    s.do(UNIT, RequestAcceptance(), utc(2024, 5, 13, 2))
    s.do(UNIT, Withdraw(reason="场地调整"), utc(2024, 5, 14, 2))
    return s


def municipal_violations_script() -> Script:
    """Art. 10 at municipal level: the municipal name revoked (the district one kept), then a
    second municipal application stopped before naming."""
    s = district_script()
    s.transcript = []
    municipal = ReportViolation(scope="municipal", finding=Finding.FALSE_DATA, note=FOUND)
    s.do(MUNICIPAL_BUREAU, municipal, utc(2025, 8, 1, 2))
    s.do(UNIT, ApplyMunicipal(conditions=all_conditions()), utc(2025, 8, 2, 2))
    s.do(MUNICIPAL_BUREAU, municipal, utc(2025, 8, 3, 2))
    return s


def district_revoked_script() -> Script:
    s = registered()
    s.do(UNIT, RequestAcceptance(), utc(2024, 5, 13, 2))
    s.do(DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 5, 20, 2))
    s.transcript = []
    district = ReportViolation(scope="district", finding=Finding.SERIOUS_VIOLATION, note=FOUND)
    s.do(DISTRICT_BUREAU, district, utc(2024, 8, 1, 2))
    return s


def both_revoked_script() -> Script:
    """On the first rules, a district revocation of a municipal project ends both names."""
    s = district_script()
    s.state.rules = 1
    s.transcript = []
    district = ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL, note=FOUND)
    s.do(DISTRICT_BUREAU, district, utc(2025, 8, 1, 2))
    return s


def referral_script() -> Script:
    """Rules 2 (谁命名谁撤消): the district name revoked, the municipal one referred, reminded,
    escalated and kept; then an off-cycle district check is not possible (municipal level)."""
    s = district_script()
    s.transcript = []
    district = ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL, note=FOUND)
    s.do(DISTRICT_BUREAU, district, utc(2025, 8, 1, 2))
    s.do(MUNICIPAL_BUREAU, KeepMunicipalName(reason="市级评估材料属实"), utc(2025, 9, 5, 2))
    return s


def off_cycle_script() -> Script:
    """Rules 2 (及时取消): a check between evaluations finds the conditions met, a later one not."""
    s = registered()
    s.do(UNIT, RequestAcceptance(), utc(2024, 5, 13, 2))
    s.do(DISTRICT_BUREAU, DecideAcceptance(passed=True), utc(2024, 5, 20, 2))
    s.transcript = []
    s.do(DISTRICT_BUREAU, EvaluateDistrict(meets_conditions=True), utc(2024, 9, 2, 2))
    s.do(
        DISTRICT_BUREAU,
        EvaluateDistrict(meets_conditions=False, note="场地已退租"),
        utc(2024, 10, 8, 2),
    )
    return s


def rejected_script() -> Script:
    s = registered()
    district = ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL, note=FOUND)
    s.do(DISTRICT_BUREAU, district, utc(2024, 5, 11, 2))
    return s


def imported_script(municipal: bool) -> Script:
    naming = ImportedNaming(
        district_named_on=date(2023, 3, 15),
        municipal_named_on=date(2024, 7, 1) if municipal else None,
    )
    state, effects = new_state(PROJECT_ID, make_spec(), Policy(), REGISTERED_AT, naming)
    return Script(state, lines(effects))


REGISTERED = [
    "1 2024-05-10 02:00 register by - building→building | 登记项目，进入建设阶段",
]


DISTRICT = [
    "record 2 2024-05-13 02:00 request-acceptance by unit building→acceptance | 申请验收",
    "notify p-1/2/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请验收 | 实施单位申请验收，请于2024-06-12前组织验收并作出结论（第六条）。",
    "record 3 2024-05-20 02:00 decide-acceptance by district_bureau acceptance→building | 验收未通过，退回建设阶段",
    "notify p-1/3/unit → unit:91310115MA1H7XK2BM | 【浦东新区生物医药质量基础设施“一站式”服务项目】验收未通过 | 资料不全",
    "record 4 2024-05-21 02:00 request-acceptance by operator building→acceptance | 申请验收",
    "notify p-1/4/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请验收 | 实施单位申请验收，请于2024-06-20前组织验收并作出结论（第六条）。",
    "notify p-1/5/reminder:acceptance → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】项目验收即将到期 | 请于2024-06-20前作出决定。",
    "notify p-1/6/escalation:acceptance → municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】督办：项目验收已逾期 | 区市场监管局应于2024-06-20前作出的决定已逾期，请督办。流程继续等待决定。",
    "record 7 2024-06-21 02:00 decide-acceptance by district_bureau acceptance→district_named | 通过验收，认定命名为“浦东新区生物医药质量基础设施“一站式”服务项目”",
    "grant p-1/district/7 district 2024-06-21 by district_bureau | 浦东新区生物医药质量基础设施“一站式”服务项目",
    "notify p-1/7/unit → unit:91310115MA1H7XK2BM | 【浦东新区生物医药质量基础设施“一站式”服务项目】通过验收 | 通过验收，认定命名为“浦东新区生物医药质量基础设施“一站式”服务项目”。",
    "notify p-1/8/task → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】区级项目定期评估到期 | 区级项目定期评估已到期，请于2025-07-21前作出决定。",
    "record 9 2025-06-25 02:00 evaluate-district by district_bureau district_named→district_named | 区级定期评估：仍符合基本条件，下次评估2026-06-21",
    "notify p-1/9/unit → unit:91310115MA1H7XK2BM | 【浦东新区生物医药质量基础设施“一站式”服务项目】区级定期评估通过 | 下次评估：2026-06-21。",
    "record 10 2025-07-01 02:00 apply-municipal by unit district_named→municipal_recommendation | 申请市级命名",
    "notify p-1/10/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请市级命名 | 实施单位申请市级项目命名，请于2025-07-31前作出推荐意见（第七条）。",
    "record 11 2025-07-02 02:00 recommend-municipal by district_bureau municipal_recommendation→district_named | 区市场监管局不予推荐",
    "notify p-1/11/unit → unit:91310115MA1H7XK2BM | 【浦东新区生物医药质量基础设施“一站式”服务项目】区局不予推荐 | 区市场监管局不予推荐市级命名。",
    "record 12 2025-07-03 02:00 apply-municipal by unit district_named→municipal_recommendation | 申请市级命名",
    "notify p-1/12/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请市级命名 | 实施单位申请市级项目命名，请于2025-08-02前作出推荐意见（第七条）。",
    "record 13 2025-07-04 02:00 recommend-municipal by district_bureau municipal_recommendation→municipal_evaluation | 区市场监管局推荐申请市级命名",
    "notify p-1/13/municipal → municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】区局推荐市级命名 | 请于2025-08-03前组织评估（第八条）。",
    "notify p-1/13/unit → unit:91310115MA1H7XK2BM | 【浦东新区生物医药质量基础设施“一站式”服务项目】区局已推荐 | 已推荐至市市场监管局评估。",
    "record 14 2025-07-05 02:00 evaluate-municipal by municipal_bureau municipal_evaluation→district_named | 市级命名评估未通过，仍为区级项目",
    "notify p-1/14/failed → unit:91310115MA1H7XK2BM,district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】市级评估未通过 | 市级命名评估未通过，仍为区级项目。",
    "record 15 2025-07-06 02:00 apply-municipal by unit district_named→municipal_recommendation | 申请市级命名",
    "notify p-1/15/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请市级命名 | 实施单位申请市级项目命名，请于2025-08-05前作出推荐意见（第七条）。",
    "record 16 2025-07-07 02:00 recommend-municipal by district_bureau municipal_recommendation→municipal_evaluation | 区市场监管局推荐申请市级命名",
    "notify p-1/16/municipal → municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】区局推荐市级命名 | 请于2025-08-06前组织评估（第八条）。",
    "notify p-1/16/unit → unit:91310115MA1H7XK2BM | 【浦东新区生物医药质量基础设施“一站式”服务项目】区局已推荐 | 已推荐至市市场监管局评估。",
    "record 17 2025-07-08 02:00 evaluate-municipal by municipal_bureau municipal_evaluation→municipal_named | 通过市级评估，认定命名为“上海市生物医药质量基础设施集成服务项目”",
    "grant p-1/municipal/17 municipal 2025-07-08 by municipal_bureau | 上海市生物医药质量基础设施集成服务项目",
    "notify p-1/17/named → unit:91310115MA1H7XK2BM,district_bureau:310115 | 【上海市生物医药质量基础设施集成服务项目】认定为市级项目 | 通过评估，认定命名为“上海市生物医药质量基础设施集成服务项目”；首次三年评估：2028-07-08。",
]


MUNICIPAL = [
    "notify p-1/18/task → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】市级项目三年评估到期 | 市级项目三年评估已到期，请于2028-08-07前作出决定。",
    "record 19 2028-07-10 02:00 review-municipal by municipal_bureau municipal_named→rectification | 三年评估未达标，整改期至2029-01-10",
    "notify p-1/19/rectification → unit:91310115MA1H7XK2BM,district_bureau:310115 | 【上海市生物医药质量基础设施集成服务项目】三年评估未达标，进入整改期 | 服务效能未达标，给予整改期至2029-01-10（第九条第三项），请按期提交整改报告。",
    "notify p-1/20/reminder → unit:91310115MA1H7XK2BM,municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】整改期即将届满 | 整改期将于2029-01-10届满，请及时提交整改报告。",
    "record 21 2028-12-20 02:00 report-rectification by unit rectification→rectification | 提交整改报告",
    "notify p-1/21/municipal → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】收到整改报告 | "
    + "甲" * 500,
    "notify p-1/22/reminder → unit:91310115MA1H7XK2BM,municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】整改期即将届满 | 整改期将于2029-01-10届满，已收到整改报告，待市市场监管局复评。",
    "record 23 2029-01-05 02:00 review-rectification by municipal_bureau rectification→municipal_named | 整改复评通过，下次三年评估2031-07-08",
    "notify p-1/23/passed → unit:91310115MA1H7XK2BM,district_bureau:310115 | 【上海市生物医药质量基础设施集成服务项目】整改复评通过 | 下次评估：2031-07-08。",
    "notify p-1/24/task → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】市级项目三年评估到期 | 市级项目三年评估已到期，请于2031-08-07前作出决定。",
    "record 25 2031-07-09 02:00 review-municipal by municipal_bureau municipal_named→municipal_named | 三年评估通过，下次评估2034-07-08",
    "notify p-1/25/unit → unit:91310115MA1H7XK2BM | 【上海市生物医药质量基础设施集成服务项目】三年评估通过 | 下次评估：2034-07-08。",
    "notify p-1/26/task → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】市级项目三年评估到期 | 市级项目三年评估已到期，请于2034-08-07前作出决定。",
    "record 27 2034-07-09 02:00 review-municipal by municipal_bureau municipal_named→rectification | 三年评估未达标，整改期至2035-01-09",
    "notify p-1/27/rectification → unit:91310115MA1H7XK2BM,district_bureau:310115 | 【上海市生物医药质量基础设施集成服务项目】三年评估未达标，进入整改期 | 服务效能未达标，给予整改期至2035-01-09（第九条第三项），请按期提交整改报告。",
    "notify p-1/28/reminder → unit:91310115MA1H7XK2BM,municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】整改期即将届满 | 整改期将于2035-01-09届满，请及时提交整改报告。",
    "notify p-1/29/reminder → unit:91310115MA1H7XK2BM,municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】整改期即将届满 | 整改期将于2035-01-09届满，请及时提交整改报告。",
    "notify p-1/30/task → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】整改复评到期 | 整改复评已到期，请于2035-02-08前作出决定。",
    "record 31 2035-01-10 02:00 review-rectification by municipal_bureau rectification→district_named | 整改复评未通过，取消市级命名：整改无效（第九条第三项）",
    "end p-1/municipal/17 cancelled 2035-01-10 by municipal_bureau | 整改无效（第九条第三项）",
    "notify p-1/31/failed → unit:91310115MA1H7XK2BM,district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】市级命名取消 | 整改无效（第九条第三项），取消市级命名；区级命名保留，恢复区级定期评估。",
    "notify p-1/32/task → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】区级项目定期评估到期 | 区级项目定期评估已到期，请于2035-07-21前作出决定。",
]


TIMER_EVENTS = [
    "1 2024-05-10 02:00 register by - building→building | 登记项目，进入建设阶段",
    "5 2024-06-13 02:00 reminder:acceptance by - acceptance→acceptance | 提醒：项目验收将于2024-06-20到期",
    "6 2024-06-20 02:00 escalation:acceptance by - acceptance→acceptance | 督办：项目验收已逾期，报市市场监管局",
    "8 2025-06-20 16:00 due:district_evaluation by - district_named→district_named | 区级项目定期评估到期，待区市场监管局决定",
    "18 2028-07-07 16:00 due:municipal_review by - municipal_named→municipal_named | 市级项目三年评估到期，待市市场监管局决定",
    "20 2028-12-11 02:00 reminder:rectification by - rectification→rectification | 提醒：整改期将于2029-01-10届满",
    "22 2029-01-03 02:00 reminder:rectification by - rectification→rectification | 提醒：整改期将于2029-01-10届满",
    "24 2031-07-07 16:00 due:municipal_review by - municipal_named→municipal_named | 市级项目三年评估到期，待市市场监管局决定",
    "26 2034-07-07 16:00 due:municipal_review by - municipal_named→municipal_named | 市级项目三年评估到期，待市市场监管局决定",
    "28 2034-12-10 02:00 reminder:rectification by - rectification→rectification | 提醒：整改期将于2035-01-09届满",
    "29 2035-01-02 02:00 reminder:rectification by - rectification→rectification | 提醒：整改期将于2035-01-09届满",
    "30 2035-01-09 02:00 due:rectification_review by - rectification→rectification | 整改复评到期，待市市场监管局决定",
    "32 2035-06-20 16:00 due:district_evaluation by - district_named→district_named | 区级项目定期评估到期，待区市场监管局决定",
]


CANCELLED = [
    "notify p-1/4/task → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】区级项目定期评估到期 | 区级项目定期评估已到期，请于2025-06-19前作出决定。",
    "record 5 2025-05-22 02:00 evaluate-district by district_bureau district_named→cancelled | 区级命名取消：经定期评估不再符合基本条件（第九条第二项）",
    "end p-1/district/3 cancelled 2025-05-22 by district_bureau | 经定期评估不再符合基本条件（第九条第二项）",
    "notify p-1/5/unit → unit:91310115MA1H7XK2BM,municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】区级命名取消 | 经定期评估不再符合基本条件（第九条第二项）",
]


WITHDRAWN = [
    "record 2 2024-05-13 02:00 request-acceptance by unit building→acceptance | 申请验收",
    "notify p-1/2/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请验收 | 实施单位申请验收，请于2024-06-12前组织验收并作出结论（第六条）。",
    "record 3 2024-05-14 02:00 withdraw by unit acceptance→withdrawn | 实施单位撤回：场地调整",
    "notify p-1/3/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】实施单位撤回 | 撤回原因：场地调整",
]


MUNICIPAL_VIOLATIONS = [
    "record 18 2025-08-01 02:00 report-violation by municipal_bureau municipal_named→district_named | 撤消市级命名：提供不实数据（第十条）",
    "end p-1/municipal/17 revoked 2025-08-01 by municipal_bureau | 提供不实数据（第十条）",
    "notify p-1/18/revoked → unit:91310115MA1H7XK2BM,district_bureau:310115,municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】市级命名撤消 | 提供不实数据（第十条）；区级命名保留。",
    "record 19 2025-08-02 02:00 apply-municipal by unit district_named→municipal_recommendation | 申请市级命名",
    "notify p-1/19/district → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请市级命名 | 实施单位申请市级项目命名，请于2025-09-01前作出推荐意见（第七条）。",
    "record 20 2025-08-03 02:00 report-violation by municipal_bureau municipal_recommendation→district_named | 市级命名前认定提供不实数据（第十条），市级申请终止，仍为区级项目",
    "notify p-1/20/rejected → unit:91310115MA1H7XK2BM,district_bureau:310115,municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】市级命名申请终止 | 提供不实数据（第十条）",
]


DISTRICT_REVOKED = [
    "record 4 2024-08-01 02:00 report-violation by district_bureau district_named→revoked | 撤消命名：存在其他严重违法违规行为（第十条）",
    "end p-1/district/3 revoked 2024-08-01 by district_bureau | 存在其他严重违法违规行为（第十条）",
    "notify p-1/4/revoked → unit:91310115MA1H7XK2BM,district_bureau:310115,municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】命名撤消 | 存在其他严重违法违规行为（第十条）",
]


BOTH_REVOKED = [
    "record 18 2025-08-01 02:00 report-violation by district_bureau municipal_named→revoked | 撤消命名：提供虚假材料（第十条）",
    "end p-1/district/7 revoked 2025-08-01 by district_bureau | 提供虚假材料（第十条）",
    "end p-1/municipal/17 revoked 2025-08-01 by district_bureau | 区级命名被撤消（提供虚假材料（第十条））",
]


REJECTED = [
    "record 2 2024-05-11 02:00 report-violation by district_bureau building→rejected | 命名前认定提供虚假材料（第十条），申请终止",
    "notify p-1/2/rejected → unit:91310115MA1H7XK2BM,district_bureau:310115,municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】申请终止 | 提供虚假材料（第十条）",
]


REFERRAL = [
    "record 18 2025-08-01 02:00 report-violation by district_bureau municipal_named→municipal_named | 撤消区级命名：提供虚假材料（第十条）；市级命名移送市市场监管局决定",
    "end p-1/district/7 revoked 2025-08-01 by district_bureau | 提供虚假材料（第十条）",
    "notify p-1/18/referral → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】区局移送违规认定 | 区市场监管局认定提供虚假材料（第十条），已撤消区级命名。查明事实：查实的事实。市级命名由市市场监管局决定撤消或保留，请于2025-08-31前作出决定。",
    "notify p-1/18/revoked → unit:91310115MA1H7XK2BM | 【上海市生物医药质量基础设施集成服务项目】区级命名撤消 | 提供虚假材料（第十条）；区级命名撤消，市级命名待市市场监管局决定。",
    "notify p-1/19/reminder:violation_referral → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】区局移送违规认定（第十条）即将到期 | 请于2025-08-31前作出决定。",
    "notify p-1/20/escalation:violation_referral → municipal_bureau | 【上海市生物医药质量基础设施集成服务项目】督办：区局移送违规认定（第十条）已逾期 | 市市场监管局应于2025-08-31前作出的决定已逾期，请督办。流程继续等待决定。",
    "record 21 2025-09-05 02:00 keep-municipal-name by municipal_bureau municipal_named→municipal_named | 保留市级命名：市级评估材料属实",
    "notify p-1/21/kept → unit:91310115MA1H7XK2BM,district_bureau:310115 | 【上海市生物医药质量基础设施集成服务项目】保留市级命名 | 市市场监管局对区局移送的违规认定决定保留市级命名。理由：市级评估材料属实",
]


OFF_CYCLE = [
    "record 4 2024-09-02 02:00 evaluate-district by district_bureau district_named→district_named | 区级核查：仍符合基本条件，定期评估安排不变（下次定期评估2025-05-20）",
    "record 5 2024-10-08 02:00 evaluate-district by district_bureau district_named→cancelled | 区级命名取消：经核查不再符合基本条件，及时取消（第九条第二项）：场地已退租",
    "end p-1/district/3 cancelled 2024-10-08 by district_bureau | 经核查不再符合基本条件，及时取消（第九条第二项）：场地已退租",
    "notify p-1/5/unit → unit:91310115MA1H7XK2BM,municipal_bureau | 【浦东新区生物医药质量基础设施“一站式”服务项目】区级命名取消 | 经核查不再符合基本条件，及时取消（第九条第二项）：场地已退租",
]


IMPORTED_DISTRICT = [
    "grant p-1/district/1 district 2023-03-15 by district_bureau | 浦东新区生物医药质量基础设施“一站式”服务项目",
    "notify p-1/2/task → district_bureau:310115 | 【浦东新区生物医药质量基础设施“一站式”服务项目】区级项目定期评估到期 | 区级项目定期评估已于2024-03-15到期（导入前），请于2024-06-09前作出决定。",
    "1 2024-05-10 02:00 import by - building→district_named | 导入已命名项目：区级命名于2023-03-15",
    "2 2024-05-10 02:00 due:district_evaluation by - district_named→district_named | 区级项目定期评估已于2024-03-15到期（导入前），待区市场监管局决定",
]


IMPORTED_MUNICIPAL = [
    "grant p-1/district/1 district 2023-03-15 by district_bureau | 浦东新区生物医药质量基础设施“一站式”服务项目",
    "grant p-1/municipal/1 municipal 2024-07-01 by municipal_bureau | 上海市生物医药质量基础设施集成服务项目",
    "1 2024-05-10 02:00 import by - building→municipal_named | 导入已命名项目：区级命名于2023-03-15，市级命名于2024-07-01",
]


def test_registration_is_the_first_history_line() -> None:
    assert registered().history() == REGISTERED


def test_acceptance_evaluation_and_municipal_applications_word_for_word() -> None:
    assert district_script().transcript == DISTRICT


def test_reviews_rectification_and_its_failure_word_for_word() -> None:
    script = municipal_script()
    assert script.transcript == MUNICIPAL
    assert [line for line in script.history() if " by - " in line] == TIMER_EVENTS


def test_district_cancellation_word_for_word() -> None:
    assert cancelled_script().transcript == CANCELLED


def test_withdrawal_word_for_word() -> None:
    assert withdrawn_script().transcript == WITHDRAWN


def test_municipal_violations_word_for_word() -> None:
    assert municipal_violations_script().transcript == MUNICIPAL_VIOLATIONS


def test_district_revocation_word_for_word() -> None:
    assert district_revoked_script().transcript == DISTRICT_REVOKED


def test_district_revocation_of_a_municipal_project_ends_both_names() -> None:
    # Which name a notification is titled with once both have ended is left open here.
    transcript = both_revoked_script().transcript
    assert [line for line in transcript if not line.startswith("notify")] == BOTH_REVOKED


def test_referral_to_the_municipal_bureau_word_for_word() -> None:
    assert referral_script().transcript == REFERRAL


def test_off_cycle_district_checks_word_for_word() -> None:
    assert off_cycle_script().transcript == OFF_CYCLE


def test_violation_before_naming_rejects_the_application_word_for_word() -> None:
    assert rejected_script().transcript == REJECTED


def test_imports_word_for_word() -> None:
    district = imported_script(municipal=False)
    assert district.transcript + district.history() == IMPORTED_DISTRICT
    municipal = imported_script(municipal=True)
    assert municipal.transcript + municipal.history() == IMPORTED_MUNICIPAL
