"""Refusals on the pages: beside the field with what was typed kept, with the API's own words;
another district's project is a 403 page."""

import httpx
from playwright.async_api import expect

from tests.api.helpers import project_body
from tests.console.helpers import Console, action_form, choose, shoot, submit

ACCEPTED = (
    ("unit", "request-acceptance", None),
    ("district", "decide-acceptance", {"passed": True}),
)


async def test_a_missing_answer_is_shown_beside_its_field_keeping_what_was_typed(
    console: Console,
) -> None:
    pid = await console.registered(*ACCEPTED)
    page = await console.page_for("unit")
    await page.goto(f"/console/projects/{pid}")
    form = action_form(page, "apply-municipal")
    await choose(form, "组织架构和管理制度健全", True)
    await choose(form, "稳定有效服务中小企业", True)
    await choose(form, "集成服务能力全市领先", False)
    await form.get_by_label("备注").fill("已形成“检测+标准”一站式服务品牌")
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await submit(form)
    assert (await posted.value).status == 422
    form = action_form(page, "apply-municipal")
    missing = form.get_by_role("group", name="可复制推广的典型做法")
    await expect(missing.get_by_role("alert")).to_have_text(
        "conditions.replicable_practice：缺少必填字段"
    )
    await expect(form.get_by_label("备注")).to_have_value("已形成“检测+标准”一站式服务品牌")
    await expect(
        form.get_by_role("group", name="集成服务能力全市领先").get_by_label("否", exact=True)
    ).to_be_checked()
    await expect(page.locator(".stage")).to_have_text("区级项目")
    await shoot(page, "refusal")


async def test_a_refusal_by_the_process_shows_the_apis_message(console: Console) -> None:
    # A basic condition unmet: the process refuses to pass the acceptance (409).
    body = project_body(
        basic_conditions={
            "plan_fit": {"met": False, "evidence": "规划文件未提供"},
            "five_element_capability": True,
            "systems_and_resources": True,
        }
    )
    project = await console.api("operator", "/v1/projects", body)
    pid = project["id"]
    await console.api("unit", f"/v1/projects/{pid}/actions/request-acceptance")
    page = await console.page_for("district")
    await page.goto(f"/console/projects/{pid}")
    form = action_form(page, "decide-acceptance")
    await choose(form, "是否通过", True)
    await form.get_by_label("备注").fill("材料齐全")
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await submit(form)
    assert (await posted.value).status == 409
    async with httpx.AsyncClient(base_url=console.url) as http:
        api = await http.post(
            f"/v1/projects/{pid}/actions/decide-acceptance",
            json={"passed": True, "note": "材料齐全"},
            headers={"Authorization": f"Bearer {console.tokens['district']}"},
        )
    assert api.status_code == 409
    form = action_form(page, "decide-acceptance")
    await expect(form.get_by_role("alert")).to_have_text(api.json()["detail"])
    await expect(form.get_by_label("备注")).to_have_value("材料齐全")
    await expect(page.locator(".stage")).to_have_text("验收中")


async def test_another_districts_bureau_cannot_open_the_project(console: Console) -> None:
    pid = await console.registered()
    page = await console.page_for("other_district")
    response = await page.goto(f"/console/projects/{pid}")
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_text(
        "该项目属于浦东新区，区市场监管局（徐汇区）只能查看和处理本区项目"
    )
    await page.goto("/console/projects")
    await expect(page.get_by_text("没有符合条件的项目。")).to_be_visible()


async def test_a_unit_may_not_open_the_reports(console: Console) -> None:
    page = await console.page_for("unit")
    response = await page.goto("/console/reports")
    assert response is not None
    assert response.status == 403
    page = await console.page_for("district")
    await page.goto("/console/reports")
    await expect(page.get_by_role("heading", name="区级报告", exact=True)).to_be_visible()
    await expect(page.get_by_text("浦东新区", exact=False).first).to_be_visible()
