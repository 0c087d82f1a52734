"""Bad input gets 422 (or 404) with a Chinese message naming the field, and writes nothing."""

from typing import Any

import pytest
from sqlalchemy import func, select

from db import tables
from tests.api.helpers import Api, project_body


def without(path: str) -> dict[str, Any]:
    """The project body without the field at a dotted path."""
    body = project_body()
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    del target[last]
    return body


def with_value(path: str, value: Any) -> dict[str, Any]:
    body = project_body()
    *parents, last = path.split(".")
    target: Any = body
    for key in parents:
        target = target[key]
    target[last] = value
    return body


DATA = {"period": "2025", "smes_served": 3, "services": {"metrology": 2}, "improvements": "成效"}

BAD_PROJECTS = [
    pytest.param(
        with_value("unit.credit_code", "91350100M000100Y44"), "unit.credit_code", "校验位",
        id="credit-code-check-character",
    ),
    pytest.param(
        with_value("unit.credit_code", "91350100M0001O0Y43"), "unit.credit_code", "不允许的字符",
        id="credit-code-letter-O",
    ),
    pytest.param(
        with_value("unit.credit_code", "9135"), "unit.credit_code", "18", id="credit-code-short"
    ),
    pytest.param(with_value("district", "310199"), "district", "未知的区代码", id="unknown-district"),
    pytest.param(
        with_value("service_items", [{"element": "chemistry", "title": "化学分析"}]),
        "service_items[0].element", "metrology", id="unknown-element",
    ),
    pytest.param(with_value("service_items", []), "service_items", "至少需要1项", id="no-service-items"),
    pytest.param(
        with_value("service_items", [{"element": "metrology", "title": "   "}]),
        "service_items[0].title", "不能为空", id="blank-title",
    ),
    pytest.param(without("focus"), "focus", "缺少必填字段", id="missing-focus"),
    pytest.param(without("unit.contact.phone"), "unit.contact.phone", "缺少必填字段", id="missing-phone"),
    pytest.param(without("basic_conditions"), "basic_conditions", "缺少必填字段", id="missing-conditions"),
    pytest.param(
        with_value("basic_conditions.plan_fit", "maybe"), "basic_conditions.plan_fit", "布尔值",
        id="bool-wrong-type",
    ),
    pytest.param(with_value("service_items", "计量"), "service_items", "数组", id="list-wrong-type"),
    pytest.param(with_value("district", 310115), "district", "字符串", id="district-number"),
    pytest.param(with_value("type", "mixed"), "type", "industry", id="unknown-type"),
    pytest.param(with_value("focus", "生" * 51), "focus", "不能超过50", id="focus-too-long"),
    pytest.param(with_value("unit.name", "公" * 201), "unit.name", "不能超过200", id="name-too-long"),
    pytest.param(
        with_value("unit.contact.email", "qis-at-example"), "unit.contact.email", "电子邮箱",
        id="bad-email",
    ),
    pytest.param(
        with_value("unit.contact.phone", "电话021"), "unit.contact.phone", "电话号码", id="bad-phone"
    ),
    pytest.param(with_value("colour", "红"), "colour", "不允许的字段", id="extra-field"),
    pytest.param(with_value("focus", "生物\x00医药"), "请求体", "控制字符", id="nul-character"),
    pytest.param(None, "请求体", "缺少请求体", id="no-body"),
    pytest.param([1, 2], "请求体", "JSON 对象", id="array-body"),
]  # fmt: skip


async def project_rows(api: Api) -> int:
    async with api.sessions() as session:
        return await session.scalar(select(func.count()).select_from(tables.Project)) or 0


@pytest.mark.parametrize(("body", "field", "words"), BAD_PROJECTS)
async def test_bad_project_bodies(api: Api, body: Any, field: str, words: str) -> None:
    response = await api.post("/v1/projects", body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["code"] == "invalid_input"
    assert any(p["field"] == field and words in p["message"] for p in error["errors"]), error
    assert words in error["detail"]
    assert await project_rows(api) == 0


async def test_malformed_json(api: Api) -> None:
    response = await api.http.post(
        "/v1/projects",
        content=b'{"unit": ',
        headers={**api.auth("operator"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "不是有效的 JSON" in response.json()["detail"]


BAD_IMPORTS = [
    pytest.param({"district_named_on": "2024-13-01"}, "district_named_on", "日期", id="bad-date"),
    pytest.param({}, "district_named_on", "缺少必填字段", id="missing-date"),
    pytest.param(
        {"district_named_on": "2024-05-20", "municipal_named_on": "2024-01-01"},
        "请求体", "市级命名日期不能早于区级命名日期", id="municipal-before-district",
    ),
    pytest.param({"district_named_on": "1900-01-01"}, "请求体", "不合理", id="absurd-date"),
    pytest.param({"district_named_on": "2098-01-01"}, "请求体", "晚于今天", id="future-date"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "field", "words"), BAD_IMPORTS)
async def test_bad_imports(api: Api, extra: dict[str, Any], field: str, words: str) -> None:
    response = await api.post("/v1/projects/import", project_body(**extra))
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert any(p["field"] == field and words in p["message"] for p in problems), problems
    assert await project_rows(api) == 0


BAD_DECISIONS = [
    pytest.param("decide-acceptance", {}, "passed", "缺少必填字段", id="missing-passed"),
    pytest.param("decide-acceptance", {"passed": "maybe"}, "passed", "布尔值", id="passed-wrong-type"),
    pytest.param("decide-acceptance", {"passed": True, "note": "注" * 2001}, "note", "不能超过2000",
                 id="note-too-long"),
    pytest.param("evaluate-municipal", {"passed": True, "scores": {"operation": 101, "capability": 90,
                 "effectiveness": 90}}, "scores.operation", "不能大于100", id="score-over-100"),
    pytest.param("evaluate-municipal", {"passed": True, "scores": {"operation": 90}},
                 "scores.capability", "缺少必填字段", id="scores-incomplete"),
    pytest.param("report-violation", {"scope": "city", "finding": "false_data"}, "scope", "district",
                 id="unknown-scope"),
    pytest.param("report-violation", {"scope": "district", "finding": "lying"}, "finding",
                 "false_material", id="unknown-finding"),
    pytest.param("withdraw", {"reason": ""}, "reason", "不能为空", id="empty-reason"),
    pytest.param("apply-municipal", {"conditions": {"governance": True}}, "conditions.steady_service",
                 "缺少必填字段", id="conditions-incomplete"),
    pytest.param("decide-acceptance", {"passed": True, "action": "withdraw"}, "action",
                 "decide-acceptance", id="body-names-other-action"),
    pytest.param("submit-data", {**DATA, "smes_served": -1}, "smes_served", "不能小于0",
                 id="negative-smes"),
    pytest.param("submit-data", {**DATA, "services": {"metrology": -3}}, "services.metrology",
                 "不能小于0", id="negative-services"),
    pytest.param("submit-data", {**DATA, "services": {"chemistry": 3}}, "services.chemistry",
                 "metrology", id="unknown-element-in-data"),
    pytest.param("select-typical-case", {"title": "案例"}, "summary", "缺少必填字段",
                 id="typical-case-without-summary"),
    pytest.param("recommend-national-base", {}, "note", "缺少必填字段", id="national-base-note"),
]  # fmt: skip

DECIDER = {
    "decide-acceptance": "district",
    "evaluate-municipal": "municipal",
    "report-violation": "district",
    "withdraw": "unit",
    "apply-municipal": "unit",
    "submit-data": "unit",
    "select-typical-case": "municipal",
    "recommend-national-base": "municipal",
}


@pytest.mark.parametrize(("action", "body", "field", "words"), BAD_DECISIONS)
async def test_bad_decision_bodies(
    api: Api, action: str, body: dict[str, Any], field: str, words: str
) -> None:
    project = await api.register()
    before = await api.snapshot(project["id"])
    response = await api.act(project["id"], action, body, DECIDER[action])
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert any(p["field"] == field and words in p["message"] for p in problems), problems
    assert await api.snapshot(project["id"]) == before


async def test_a_data_period_not_ended_is_refused_naming_the_field(api: Api) -> None:
    body = project_body(district_named_on="2024-06-01")
    response = await api.post("/v1/projects/import", body)
    assert response.status_code == 201, response.text
    pid = response.json()["id"]
    before = await api.snapshot(pid)
    for period, words in (("2999", "尚未结束"), ("2025-07", "无法识别")):
        response = await api.act(pid, "submit-data", {**DATA, "period": period}, "unit")
        assert response.status_code == 422, response.text
        [problem] = response.json()["errors"]
        assert problem["field"] == "period"
        assert words in problem["message"]
    assert await api.snapshot(pid) == before


async def test_unknown_action_and_project(api: Api) -> None:
    project = await api.register()
    response = await api.act(project["id"], "approve-everything", {}, "district")
    assert response.status_code == 404
    error = response.json()
    assert "approve-everything" in error["detail"]
    assert "decide-acceptance" in error["detail"]
    assert "report-violation" in error["known_actions"]

    for unknown in ("0" * 32, "a.b;c", "x" * 300, "项目"):
        response = await api.get(f"/v1/projects/{unknown}")
        assert response.status_code == 404, unknown
        assert "不存在" in response.json()["detail"]
        response = await api.act(unknown, "decide-acceptance", {"passed": True}, "district")
        assert response.status_code == 404, unknown


BAD_QUERIES = [
    pytest.param({"district": "999999"}, "district", "未知的区代码", id="unknown-district"),
    pytest.param({"stage": "finished"}, "stage", "building", id="unknown-stage"),
    pytest.param({"level": "national"}, "level", "municipal", id="unknown-level"),
    pytest.param({"limit": "0"}, "limit", "不能小于1", id="limit-zero"),
    pytest.param({"limit": "many"}, "limit", "整数", id="limit-text"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "field", "words"), BAD_QUERIES)
async def test_bad_list_filters(api: Api, params: dict[str, str], field: str, words: str) -> None:
    response = await api.get("/v1/projects", params=params)
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert any(p["field"] == field and words in p["message"] for p in problems), problems


async def test_oversized_idempotency_key(api: Api) -> None:
    project = await api.register()
    response = await api.act(
        project["id"], "request-acceptance", None, "unit", headers={"Idempotency-Key": "k" * 201}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
