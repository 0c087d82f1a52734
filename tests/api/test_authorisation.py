"""Every action × every kind of caller, in every stage: exactly the allowed ones pass; the rest
get 401, 403 or 409 and change nothing (workflow history, state, database rows)."""

from collections import Counter
from datetime import date, timedelta
from typing import Any

from temporalio.testing import WorkflowEnvironment

from domain.durations import local_date
from tests.api.helpers import ALL_CONDITIONS, CALLERS, GOOD_SCORES, POOR_SCORES, Api, project_body
from tests.helpers import eventually

# Written out by hand from docs/regulation.md (not derived from domain.rules).
ROLES = {
    "request-acceptance": {"unit", "operator"},
    "decide-acceptance": {"district_bureau"},
    "withdraw": {"unit"},
    "evaluate-district": {"district_bureau"},
    "apply-municipal": {"unit"},
    "recommend-municipal": {"district_bureau"},
    "evaluate-municipal": {"municipal_bureau"},
    "review-municipal": {"municipal_bureau"},
    "report-rectification": {"unit"},
    "review-rectification": {"municipal_bureau"},
    "report-violation": {"district_bureau", "municipal_bureau"},
    "keep-municipal-name": {"municipal_bureau"},
    "update-profile": {"unit", "operator"},
    "submit-data": {"unit"},
    "select-typical-case": {"municipal_bureau"},
    "withdraw-typical-case": {"municipal_bureau"},
    "recommend-national-base": {"municipal_bureau"},
}
ALLOWED: dict[str, dict[str, set[str]]] = {
    "building": {
        "operator": {"request-acceptance", "update-profile"},
        "unit": {"request-acceptance", "withdraw", "update-profile"},
        "district": {"report-violation"},
    },
    "acceptance": {
        "operator": {"update-profile"},
        "unit": {"withdraw", "update-profile"},
        "district": {"decide-acceptance", "report-violation"},
    },
    # with its periodic evaluation due
    "district_named": {
        "operator": {"update-profile"},
        "unit": {"apply-municipal", "update-profile", "submit-data"},
        "district": {"evaluate-district", "report-violation"},
        "municipal": {"select-typical-case"},
    },
    "municipal_recommendation": {
        "operator": {"update-profile"},
        "unit": {"update-profile", "submit-data"},
        "district": {"recommend-municipal", "report-violation"},
        "municipal": {"report-violation", "select-typical-case"},
    },
    "municipal_evaluation": {
        "operator": {"update-profile"},
        "unit": {"update-profile", "submit-data"},
        "district": {"report-violation"},
        "municipal": {"evaluate-municipal", "report-violation", "select-typical-case"},
    },
    # with its 3-year evaluation due
    "municipal_named": {
        "operator": {"update-profile"},
        "unit": {"update-profile", "submit-data"},
        "district": {"report-violation"},
        "municipal": {
            "review-municipal",
            "report-violation",
            "select-typical-case",
            "recommend-national-base",
        },
    },
    "rectification": {
        "operator": {"update-profile"},
        "unit": {"report-rectification", "update-profile", "submit-data"},
        "district": {"report-violation"},
        "municipal": {"report-violation", "select-typical-case", "recommend-national-base"},
    },
    "rejected": {},
}
WHO: list[str | None] = [*CALLERS, None]
# The Chinese names a refusal uses, by hand from docs/regulation.md.
ACTION_LABELS = {
    "request-acceptance": "申请验收",
    "decide-acceptance": "验收结论",
    "withdraw": "撤回申请",
    "evaluate-district": "区级定期评估",
    "apply-municipal": "申请市级命名",
    "recommend-municipal": "区局推荐意见",
    "evaluate-municipal": "市级命名评估",
    "review-municipal": "市级三年评估",
    "report-rectification": "提交整改报告",
    "review-rectification": "整改复评",
    "report-violation": "违规认定（第十条）",
    "keep-municipal-name": "保留市级命名",
    "update-profile": "更新项目资料",
    "submit-data": "报送年度数据",
    "select-typical-case": "遴选典型案例",
    "withdraw-typical-case": "撤回典型案例",
    "recommend-national-base": "推荐申报国家基地",
}
STAGE_LABELS = {
    "building": "建设中",
    "acceptance": "验收中",
    "district_named": "区级项目",
    "municipal_recommendation": "待区局推荐市级",
    "municipal_evaluation": "市级评估中",
    "municipal_named": "市级项目",
    "rectification": "整改期",
    "rejected": "申请已终止",
}
NO_TOKEN = "缺少凭证：请在请求头加入 Authorization: Bearer <凭证>（凭证由 qis token create 创建）"


def explains(status: int, stage: str, who: str | None, action: str, detail: str) -> bool:
    """Whether a refusal's Chinese message says why: no token, whose role or scope, or what
    the stage (or the decision's own timing) does not allow."""
    if status == 401:
        return detail == NO_TOKEN
    if status == 403:
        assert who is not None
        if CALLERS[who][0].value not in ROLES[action]:  # the role is checked first
            return f"“{ACTION_LABELS[action]}”只能由" in detail
        if who == "other_district":
            return "只能查看和处理本区项目" in detail
        return "只能查看和处理本单位项目" in detail
    if stage == "rejected":
        return detail == "项目已结束（申请已终止），不再接受任何决定"
    return (
        f"项目当前阶段为“{STAGE_LABELS[stage]}”" in detail
        or ACTION_LABELS[action].removesuffix("（第十条）") in detail
        or "复评" in detail
        or "未入选典型案例" in detail  # withdrawing a typical case there is none of
        or "只有市级项目" in detail  # a national base for a project that is not municipal
    )


def body(action: str, who: str | None, today: date) -> dict[str, Any] | None:
    """A valid body for `action` (a violation is reported at the caller's own level; data for
    the last year that has ended)."""
    scope = "municipal" if who == "municipal" else "district"
    year = today.year - 1
    return {
        "request-acceptance": None,
        "decide-acceptance": {"passed": True},
        "withdraw": {"reason": "不再建设"},
        "evaluate-district": {"meets_conditions": True},
        "apply-municipal": {"conditions": ALL_CONDITIONS},
        "recommend-municipal": {"recommend": True},
        "evaluate-municipal": {"passed": True, "scores": GOOD_SCORES},
        "review-municipal": {"passed": False, "scores": POOR_SCORES},
        "report-rectification": {"report": "整改完成"},
        "review-rectification": {"passed": True},
        "report-violation": {"scope": scope, "finding": "false_material", "note": "材料造假"},
        "keep-municipal-name": {"reason": "市级评估材料属实"},
        "update-profile": {
            "contact": {"person": "李四", "phone": "021-11111111", "email": "lisi@example.cn"}
        },
        "submit-data": {
            "period": str(year),
            "smes_served": 20,
            "services": {"metrology": 12},
            "improvements": "检测周期缩短",
        },
        "select-typical-case": {"title": "一站式服务", "summary": "整合五要素资源"},
        "withdraw-typical-case": {"reason": "内容更新"},
        "recommend-national-base": {"note": "推荐申报"},
    }[action]


def expected_refusal(who: str | None, action: str) -> int:
    if who is None:
        return 401
    role = CALLERS[who][0].value
    if role not in ROLES[action] or who.startswith("other_"):
        return 403
    return 409


def year_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Builder:
    """Projects brought to each stage through the API, each with its own focus."""

    def __init__(self, api: Api, today: date) -> None:
        self.api = api
        self.today = today
        self.count = 0

    async def _new(self, path: str = "/v1/projects", **extra: Any) -> str:
        self.count += 1
        response = await self.api.post(path, project_body(focus=f"矩阵{self.count}", **extra))
        assert response.status_code == 201, response.text
        pid: str = response.json()["id"]
        return pid

    async def before_time(self, stage: str) -> str:
        """The part of a stage's path that needs the clock to move afterwards."""
        if stage == "district_named":  # the first periodic evaluation falls due tomorrow
            named = year_before(self.today, 1) + timedelta(days=1)
            return await self._new("/v1/projects/import", district_named_on=named.isoformat())
        if stage in ("municipal_named", "rectification"):  # the 3-year evaluation, tomorrow
            named = year_before(self.today, 3) + timedelta(days=1)
            return await self._new(
                "/v1/projects/import",
                district_named_on=year_before(named, 1).isoformat(),
                municipal_named_on=named.isoformat(),
            )
        if stage in ("municipal_recommendation", "municipal_evaluation"):
            named = self.today - timedelta(days=10)
            return await self._new("/v1/projects/import", district_named_on=named.isoformat())
        return await self._new()

    async def after_time(self, stage: str, pid: str) -> None:
        """The rest of the path, once the clock has moved."""
        api = self.api
        if stage in ("district_named", "municipal_named", "rectification"):
            await eventually(lambda: api.project(pid), lambda p: bool(p["pending_decisions"]))
        if stage == "acceptance":
            await api.decide(pid, "request-acceptance", None, "unit")
        if stage in ("municipal_recommendation", "municipal_evaluation"):
            await api.decide(pid, "apply-municipal", {"conditions": ALL_CONDITIONS}, "unit")
        if stage == "municipal_evaluation":
            await api.decide(pid, "recommend-municipal", {"recommend": True}, "district")
        if stage == "rectification":
            await api.decide(
                pid, "review-municipal", body("review-municipal", None, self.today), "municipal"
            )
        if stage == "rejected":
            await api.decide(
                pid, "report-violation", body("report-violation", None, self.today), "district"
            )
        project = await api.project(pid)
        assert project["stage"] == stage


async def test_every_action_for_every_caller_in_every_stage(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    today = local_date(await workflow_env.get_current_time())
    builder = Builder(api, today)
    # One probe per stage for the refusals, one fresh project per allowed (caller, action).
    probes = {stage: await builder.before_time(stage) for stage in ALLOWED}
    fresh = {
        (stage, who, action): await builder.before_time(stage)
        for stage, by_caller in ALLOWED.items()
        for who, actions in by_caller.items()
        for action in sorted(actions)
    }
    await workflow_env.sleep(timedelta(days=2))
    for (stage, _, _), pid in fresh.items():
        await builder.after_time(stage, pid)
    for stage, pid in probes.items():
        await builder.after_time(stage, pid)

    tally: Counter[int] = Counter()
    for stage, pid in probes.items():
        before = await api.snapshot(pid)
        for who in WHO:
            allowed = ALLOWED[stage].get(who or "", set())
            if who is not None and not who.startswith("other_"):
                seen = await api.project(pid, who)
                assert set(seen["allowed_actions"]) == allowed, (stage, who)
            elif who is not None:
                assert (await api.get(f"/v1/projects/{pid}", who)).status_code == 403
            for action in ROLES:
                if action in allowed:
                    continue
                response = await api.act(pid, action, body(action, who, today), who)
                assert response.status_code == expected_refusal(who, action), (
                    stage,
                    who,
                    action,
                    response.text,
                )
                tally[response.status_code] += 1
                refusal = response.json()
                assert explains(response.status_code, stage, who, action, refusal["detail"]), (
                    stage,
                    who,
                    action,
                    refusal["detail"],
                )
                if response.status_code == 409:
                    assert set(refusal["allowed_actions"]) == allowed, (stage, who, action)
        assert await api.snapshot(pid) == before, stage
    allowed_pairs = sum(len(a) for by_caller in ALLOWED.values() for a in by_caller.values())
    assert sum(tally.values()) == len(ALLOWED) * len(WHO) * len(ROLES) - allowed_pairs
    assert tally[401] == len(ALLOWED) * len(ROLES)
    in_role = sum(
        1
        for w in ("operator", "unit", "district", "municipal")
        for a in ROLES
        if expected_refusal(w, a) == 409
    )
    assert tally[409] == len(ALLOWED) * in_role - allowed_pairs

    for (stage, who, action), pid in fresh.items():
        before = await api.project(pid)
        response = await api.act(pid, action, body(action, who, today), who)
        assert response.status_code == 200, (stage, who, action, response.text)
        after = response.json()
        assert after["history"][-1]["event"] == action
        assert after["history"][-1]["actor"]["label"] == who
        assert len(after["history"]) == len(before["history"]) + 1
