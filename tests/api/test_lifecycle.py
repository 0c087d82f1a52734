"""One project's whole life driven only through HTTP: registration, district and municipal
names, a failed 3-year evaluation, rectification, and revocation; the directory along the way."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from db import tables
from tests.api.helpers import ALL_CONDITIONS, GOOD_SCORES, POOR_SCORES, Api
from tests.helpers import eventually

DISTRICT_NAME = "浦东新区生物医药质量基础设施“一站式”服务项目"
MUNICIPAL_NAME = "上海市生物医药质量基础设施集成服务项目"


def names(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["name"], e["level"]) for e in entries]


async def directory_becomes(api: Api, expected: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return await eventually(api.directory, lambda entries: names(entries) == expected)


async def tasks_of(api: Api, who: str, project_id: str) -> list[dict[str, Any]]:
    """The caller's inbox once the read model has caught up with the project."""
    await api.settled(project_id)
    response = await api.get("/v1/tasks", who)
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()
    return tasks


async def test_full_lifecycle_through_http(api: Api, workflow_env: WorkflowEnvironment) -> None:
    assert await api.directory() == []

    # Registration by the unit itself; the operator sees it in the list.
    project = await api.register("unit")
    pid = project["id"]
    assert (project["stage"], project["level"]) == ("building", "none")
    assert project["name"] == DISTRICT_NAME  # the name it seeks
    await api.settled(pid)
    listed = (await api.get("/v1/projects", params={"stage": "building"})).json()
    assert [p["id"] for p in listed["items"]] == [pid]

    # Acceptance (Art. 6): requested by the unit, a task for the district bureau.
    project = await api.decide(pid, "request-acceptance", {"note": "建设完成"}, "unit")
    assert project["stage"] == "acceptance"
    [pending] = project["pending_decisions"]
    assert (pending["action"], pending["waiting_for"], pending["overdue"]) == (
        "decide-acceptance",
        "district_bureau",
        False,
    )
    [task] = await tasks_of(api, "district", pid)
    assert (task["project_id"], task["action"], task["due_at"]) == (
        pid,
        "decide-acceptance",
        pending["due_at"],
    )
    assert await tasks_of(api, "other_district", pid) == []
    assert await tasks_of(api, "municipal", pid) == []

    project = await api.decide(pid, "decide-acceptance", {"passed": True}, "district")
    assert (project["stage"], project["level"], project["name"]) == (
        "district_named",
        "district",
        DISTRICT_NAME,
    )
    [entry] = await directory_becomes(api, [(DISTRICT_NAME, "district")])
    assert entry["contact"] == {
        "person": "张三",
        "phone": "021-00000000",
        "email": "qis@example.cn",
    }
    assert entry["service_items"] == [
        {"element": "metrology", "element_label": "计量", "title": "计量校准服务"}
    ]
    assert entry["unit_name"] == "上海示例检测技术有限公司"
    assert set(entry) == {
        "name", "level", "level_label", "named_on", "district", "district_name", "type",
        "type_label", "focus", "unit_name", "service_items", "contact", "typical_case",
        "national_base",
    }  # fmt: skip
    assert (entry["typical_case"], entry["national_base"]) == (None, None)

    # Municipal naming (Art. 7–8).
    await api.decide(pid, "apply-municipal", {"conditions": ALL_CONDITIONS}, "unit")
    await api.decide(pid, "recommend-municipal", {"recommend": True}, "district")
    project = await api.decide(
        pid, "evaluate-municipal", {"passed": True, "scores": GOOD_SCORES}, "municipal"
    )
    assert (project["stage"], project["level"], project["name"]) == (
        "municipal_named",
        "municipal",
        MUNICIPAL_NAME,
    )
    review_due = project["schedule"]["next_municipal_review_at"]
    assert project["next_deadline"] == review_due
    await directory_becomes(api, [(MUNICIPAL_NAME, "municipal")])

    # Three years later the evaluation falls due (Art. 9.3) and fails.
    await workflow_env.sleep(timedelta(days=3 * 365 + 3))

    async def opened() -> dict[str, Any]:
        return await api.project(pid, "municipal")

    def reviewing(project: dict[str, Any]) -> bool:
        return any(d["kind"] == "municipal_review" for d in project["pending_decisions"])

    project = await eventually(opened, reviewing)
    # Meanwhile each year's end opened the unit's data task (Art. 9.1); it waits, escalated.
    kinds = {d["kind"] for d in project["pending_decisions"]}
    assert kinds == {"municipal_review", "data_submission"}
    owed_periods = [d for d in project["pending_decisions"] if d["kind"] == "data_submission"]
    submitted = len(owed_periods)
    for owed in owed_periods:
        data = {"smes_served": 5, "services": {"metrology": 3}, "improvements": "成效"}
        await api.decide(pid, "submit-data", {"period": owed["period"], **data}, "unit")
    assert project["allowed_actions"] == [
        "review-municipal",
        "report-violation",
        "select-typical-case",
        "recommend-national-base",
    ]
    [task] = await tasks_of(api, "municipal", pid)
    assert task["action"] == "review-municipal"

    project = await api.decide(
        pid, "review-municipal", {"passed": False, "scores": POOR_SCORES}, "municipal"
    )
    assert project["stage"] == "rectification"
    deadline = project["schedule"]["rectification_deadline"]
    assert project["next_deadline"] == deadline
    [task] = await decisions_of_unit(api, pid)
    assert (task["action"], task["due_at"]) == ("report-rectification", deadline)
    # The municipal name stands during rectification.
    await directory_becomes(api, [(MUNICIPAL_NAME, "municipal")])

    # Rectification: reported; an early review may only pass (the half-year of Art. 9.3 runs),
    # so the failure is found once the period is over: back to a district project.
    project = await api.decide(
        pid, "report-rectification", {"report": "已补充检测人员并完善服务流程"}, "unit"
    )
    assert project["schedule"]["rectification_reported"] is True
    assert await decisions_of_unit(api, pid) == []
    early = await api.act(pid, "review-rectification", {"passed": False}, "municipal")
    assert early.status_code == 409
    assert "前只能作出整改通过的复评结论" in early.json()["detail"]
    now = await workflow_env.get_current_time()
    await workflow_env.sleep(datetime.fromisoformat(deadline) - now + timedelta(hours=1))
    project = await api.decide(pid, "review-rectification", {"passed": False}, "municipal")
    assert (project["stage"], project["level"]) == ("district_named", "district")
    await directory_becomes(api, [(DISTRICT_NAME, "district")])

    # Revocation for false data (Art. 10) by the district bureau that gave the name.
    project = await api.decide(
        pid,
        "report-violation",
        {"scope": "district", "finding": "false_data", "note": "报送数据与核查结果不符"},
        "district",
    )
    assert (project["stage"], project["level"], project["ended"]) == ("revoked", "none", True)
    assert await directory_becomes(api, []) == []

    # The ended project still reads, takes no decision, and shows its whole register and history.
    for who in ("operator", "unit", "district", "municipal"):
        ended = await api.project(pid, who)
        assert ended["allowed_actions"] == []
    refused = await api.act(pid, "request-acceptance", None, "unit")
    assert refused.status_code == 409
    assert refused.json()["code"] == "project_ended"
    assert "已结束" in refused.json()["detail"]

    register = [(n["level"], n["name"], n["ending"]["kind"]) for n in ended["names"]]
    assert register == [
        ("district", DISTRICT_NAME, "revoked"),
        ("municipal", MUNICIPAL_NAME, "cancelled"),
    ]
    decisions = [(e["event"], e["actor"]["role"]) for e in ended["history"] if e["actor"]]
    assert decisions == [
        ("request-acceptance", "unit"),
        ("decide-acceptance", "district_bureau"),
        ("apply-municipal", "unit"),
        ("recommend-municipal", "district_bureau"),
        ("evaluate-municipal", "municipal_bureau"),
        *[("submit-data", "unit")] * submitted,
        ("review-municipal", "municipal_bureau"),
        ("report-rectification", "unit"),
        ("review-rectification", "municipal_bureau"),
        ("report-violation", "district_bureau"),
    ]
    assert ended["history"][1]["actor"]["label"] == "unit"  # the token's label

    async def recorded() -> list[str]:
        async with api.sessions() as session:
            rows = await session.scalars(
                select(tables.Decision.action)
                .where(tables.Decision.project_id == pid)
                .order_by(tables.Decision.seq)
            )
            return list(rows)

    await eventually(recorded, lambda actions: actions == [d for d, _ in decisions])
    listed = (await api.get("/v1/projects", params={"stage": "revoked"})).json()
    assert [p["id"] for p in listed["items"]] == [pid]


async def decisions_of_unit(api: Api, pid: str) -> list[dict[str, Any]]:
    """The unit's inbox for the project, its data tasks (Art. 9.1) aside."""
    return [t for t in await tasks_of(api, "unit", pid) if t["action"] != "submit-data"]
