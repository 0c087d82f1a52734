"""The rules of issue #7 through HTTP: 谁命名谁撤消 (referral answered by keep-municipal-name or
a municipal finding), findings and off-cycle cancellations that must say why (409), a blank
reason to keep (422), acceptance with an unmet basic condition (409), imports behind."""

from datetime import timedelta
from typing import Any

from temporalio.testing import WorkflowEnvironment

from domain.durations import local_date
from tests.api.helpers import Api, project_body

FINDING = {"scope": "district", "finding": "false_material", "note": "验收材料中的场地证明系伪造"}


async def municipal_project(api: Api, env: WorkflowEnvironment, focus: str) -> str:
    """An imported municipal project, named ten days ago (nothing due)."""
    today = local_date(await env.get_current_time())
    body = project_body(
        focus=focus,
        district_named_on=(today - timedelta(days=400)).isoformat(),
        municipal_named_on=(today - timedelta(days=10)).isoformat(),
    )
    response = await api.post("/v1/projects/import", body)
    assert response.status_code == 201, response.text
    pid: str = response.json()["id"]
    return pid


def active_levels(project: dict[str, Any]) -> list[str]:
    return [n["level"] for n in project["names"] if n["active"]]


async def test_a_referred_municipal_name_is_kept_by_the_municipal_bureau(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    pid = await municipal_project(api, workflow_env, "移送保留")
    project = await api.decide(pid, "report-violation", FINDING, "district")
    assert (project["stage"], project["level"]) == ("municipal_named", "municipal")
    assert active_levels(project) == ["municipal"]
    [pending] = project["pending_decisions"]
    assert (pending["kind"], pending["action"], pending["waiting_for"]) == (
        "violation_referral",
        "keep-municipal-name",
        "municipal_bureau",
    )
    seen = await api.project(pid, "municipal")
    assert "keep-municipal-name" in seen["allowed_actions"]
    # The district bureau has no name left to revoke.
    again = await api.act(pid, "report-violation", FINDING, "district")
    assert again.status_code == 409, again.text
    assert again.json()["detail"].startswith("区级命名已撤消，区市场监管局没有可撤消的命名")
    # Only the municipal bureau answers; a blank reason is refused by the body (422).
    wrong = await api.act(pid, "keep-municipal-name", {"reason": "保留"}, "district")
    assert wrong.status_code == 403, wrong.text
    blank = await api.act(pid, "keep-municipal-name", {"reason": "   "}, "municipal")
    assert blank.status_code == 422, blank.text
    assert any(p["field"] == "reason" for p in blank.json()["errors"])
    project = await api.decide(
        pid, "keep-municipal-name", {"reason": "市级评估材料经核查属实"}, "municipal"
    )
    assert project["pending_decisions"] == []
    assert (project["stage"], active_levels(project)) == ("municipal_named", ["municipal"])
    twice = await api.act(pid, "keep-municipal-name", {"reason": "再次保留"}, "municipal")
    assert twice.status_code == 409
    assert "没有区市场监管局移送的违规认定待处理" in twice.json()["detail"]


async def test_a_referred_municipal_name_is_revoked_by_the_municipal_bureau(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    pid = await municipal_project(api, workflow_env, "移送撤消")
    await api.decide(pid, "report-violation", FINDING, "district")
    project = await api.decide(
        pid,
        "report-violation",
        {"scope": "municipal", "finding": "false_data", "note": "市级评估数据不实"},
        "municipal",
    )
    assert (project["stage"], project["level"], project["ended"]) == ("revoked", "none", True)
    assert active_levels(project) == []


async def test_a_finding_without_a_note_is_refused(api: Api) -> None:
    project = await api.register(focus="无备注认定")
    pid = project["id"]
    before = await api.snapshot(pid)
    for body in (
        {"scope": "district", "finding": "false_data"},
        {"scope": "district", "finding": "false_data", "note": "  "},
    ):
        response = await api.act(pid, "report-violation", body, "district")
        assert response.status_code == 409, response.text
        assert response.json()["detail"].startswith("违规认定须在 note 中写明查明的事实（第十条）")
    assert await api.snapshot(pid) == before


async def test_off_cycle_cancellation_through_http(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    today = local_date(await workflow_env.get_current_time())
    body = project_body(
        focus="及时取消", district_named_on=(today - timedelta(days=30)).isoformat()
    )
    response = await api.post("/v1/projects/import", body)
    assert response.status_code == 201, response.text
    pid = response.json()["id"]
    project = await api.settled(pid)
    due = project["schedule"]["next_district_evaluation_at"]
    assert "evaluate-district" in (await api.project(pid, "district"))["allowed_actions"]
    # A check that finds the conditions met changes nothing.
    project = await api.decide(pid, "evaluate-district", {"meets_conditions": True}, "district")
    assert project["stage"] == "district_named"
    assert project["schedule"]["next_district_evaluation_at"] == due
    # Cancelling needs the reasons.
    refused = await api.act(pid, "evaluate-district", {"meets_conditions": False}, "district")
    assert refused.status_code == 409, refused.text
    assert "须在 note 中写明不再符合基本条件的理由" in refused.json()["detail"]
    project = await api.decide(
        pid, "evaluate-district", {"meets_conditions": False, "note": "服务场地已退租"}, "district"
    )
    assert (project["stage"], project["level"], project["ended"]) == ("cancelled", "none", True)


async def test_acceptance_refused_naming_the_unmet_condition(api: Api) -> None:
    conditions = {
        "plan_fit": {"met": True, "evidence": "列入区产业规划"},
        "five_element_capability": {"met": False, "evidence": "尚缺认证认可服务"},
        "systems_and_resources": True,
    }
    project = await api.register(focus="条件不足", basic_conditions=conditions)
    pid = project["id"]
    await api.decide(pid, "request-acceptance", None, "unit")
    response = await api.act(pid, "decide-acceptance", {"passed": True}, "district")
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith(
        "不满足第五条基本条件，不能通过验收：具备五要素服务能力。"
    )
    failed = await api.decide(
        pid, "decide-acceptance", {"passed": False, "note": "五要素能力不足"}, "district"
    )
    assert failed["stage"] == "building"


async def test_an_import_behind_has_its_evaluation_open_at_once(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    today = local_date(await workflow_env.get_current_time())
    named = (today - timedelta(days=800)).isoformat()
    behind = await api.post(
        "/v1/projects/import", project_body(focus="导入滞后", district_named_on=named)
    )
    assert behind.status_code == 201, behind.text
    project = await api.settled(behind.json()["id"])
    [pending] = project["pending_decisions"]
    assert pending["kind"] == "district_evaluation"
    covered = await api.post(
        "/v1/projects/import",
        project_body(
            focus="导入已评估",
            district_named_on=named,
            district_last_evaluated_on=(today - timedelta(days=5)).isoformat(),
        ),
    )
    assert covered.status_code == 201, covered.text
    project = await api.settled(covered.json()["id"])
    assert project["pending_decisions"] == []
