"""The whole story through pages only: an operator registers a project, the unit requests
acceptance, the district bureau passes it from its inbox, the unit applies for municipal naming,
the district recommends, the municipal bureau names it; the 3-year evaluation (compressed to a
week) fails, the unit reports its rectification, the review passes. No token in any URL."""

from datetime import timedelta
from typing import Any

from playwright.async_api import Page, expect
from sqlalchemy import select

from db import tables
from tests.console.helpers import (
    REVIEW_FALLS_DUE,
    Console,
    action_form,
    choose,
    fill_registration,
    shoot,
    submit,
)
from tests.helpers import eventually

DISTRICT_NAME = "浦东新区生物医药质量基础设施“一站式”服务项目"
MUNICIPAL_NAME = "上海市生物医药质量基础设施集成服务项目"
CONDITIONS = (
    "组织架构和管理制度健全",
    "稳定有效服务中小企业",
    "集成服务能力全市领先",
    "可复制推广的典型做法",
)


async def register_through_the_form(page: Page) -> str:
    """The operator fills the registration form; the new project's id."""
    await page.get_by_role("link", name="登记项目").click()
    await expect(page.get_by_role("heading", name="登记项目")).to_be_visible()
    form = page.locator("form#register")
    await fill_registration(form, focus="生物医药", element="metrology", title="计量校准服务")
    await shoot(page, "register")
    await submit(form)
    await expect(page.locator(".stage")).to_have_text("建设中")
    await expect(page.get_by_role("status")).to_have_text("已办理：登记项目")
    return page.url.split("/console/projects/")[1].split("?")[0]


async def open_from_inbox(page: Page, action_label: str) -> None:
    """From the inbox, follow the task naming `action_label`."""
    await page.goto("/console")
    await page.get_by_role("link", name=action_label).click()
    await expect(page.get_by_role("heading", name="可办理的决定")).to_be_visible()


async def open_tasks(console: Console, project_id: str) -> list[dict[str, Any]]:
    async with console.sessions() as session:
        tasks = await session.scalar(
            select(tables.Project.tasks).where(tables.Project.id == project_id)
        )
    return list(tasks or [])


async def test_the_whole_story_through_pages(console: Console) -> None:
    operator = await console.page_for("operator")
    pid = await register_through_the_form(operator)

    # The unit requests acceptance from the project page.
    unit = await console.page_for("unit")
    await unit.goto(f"/console/projects/{pid}")
    form = action_form(unit, "request-acceptance")
    await form.get_by_label("备注").fill("已完成建设，申请组织验收")
    await submit(form)
    await expect(unit.locator(".stage")).to_have_text("验收中")

    # The district bureau finds it in its inbox, due in 30 days, and passes it.
    district = await console.page_for("district")
    row = district.get_by_role("row").filter(has_text=DISTRICT_NAME)
    await expect(row).to_contain_text("验收结论")
    await expect(row).to_contain_text("未到期")
    await shoot(district, "inbox")
    await open_from_inbox(district, "验收结论")
    form = action_form(district, "decide-acceptance")
    await choose(form, "是否通过", True)
    await form.get_by_label("备注").fill("现场验收通过")
    await submit(form)
    await expect(district.locator(".level")).to_have_text("区级")
    await expect(district.get_by_role("cell", name=DISTRICT_NAME, exact=True)).to_be_visible()
    await expect(district.get_by_role("heading", level=1)).to_have_text(DISTRICT_NAME)

    # The unit applies for municipal naming; the district recommends.
    await unit.goto(f"/console/projects/{pid}")
    form = action_form(unit, "apply-municipal")
    for condition in CONDITIONS:
        await choose(form, condition, True)
    await submit(form)
    await expect(unit.locator(".stage")).to_have_text("待区局推荐市级")
    await open_from_inbox(district, "区局推荐意见")
    form = action_form(district, "recommend-municipal")
    await choose(form, "是否推荐", True)
    await submit(form)
    await expect(district.locator(".stage")).to_have_text("市级评估中")

    # The municipal bureau evaluates and names it.
    municipal = await console.page_for("municipal")
    await open_from_inbox(municipal, "市级命名评估")
    form = action_form(municipal, "evaluate-municipal")
    await choose(form, "是否通过", True)
    await form.get_by_label("运行情况").fill("86")
    await form.get_by_label("服务能力").fill("90")
    await form.get_by_label("服务成效").fill("82")
    await submit(form)
    await expect(municipal.locator(".level")).to_have_text("市级")
    await expect(municipal.get_by_role("heading", level=1)).to_have_text(MUNICIPAL_NAME)
    await shoot(municipal, "project")

    # The 3-year evaluation falls due (compressed policy) and fails.
    await console.env.sleep(timedelta(days=REVIEW_FALLS_DUE))
    await eventually(lambda: open_tasks(console, pid), bool, within=30)
    await open_from_inbox(municipal, "市级三年评估")
    form = action_form(municipal, "review-municipal")
    await choose(form, "是否通过", False)
    await form.get_by_label("运行情况").fill("62")
    await form.get_by_label("服务能力").fill("70")
    await form.get_by_label("服务成效").fill("55")
    await form.get_by_label("备注").fill("服务效能未达标")
    await submit(form)
    await expect(municipal.locator(".stage")).to_have_text("整改期")

    # The unit reports its rectification from its inbox; the review passes.
    await open_from_inbox(unit, "提交整改报告")
    form = action_form(unit, "report-rectification")
    await form.get_by_label("整改报告").fill("已补充检验检测人员5名，新增计量校准项目12项。")
    await submit(form)
    await expect(unit.get_by_role("status")).to_have_text("已办理：提交整改报告")
    # An early review (before the half-year ends) is open to the municipal bureau at once.
    await municipal.goto(f"/console/projects/{pid}")
    form = action_form(municipal, "review-rectification")
    await choose(form, "是否通过", True)
    await submit(form)
    await expect(municipal.locator(".stage")).to_have_text("市级项目")
    await expect(municipal.locator("ol.timeline")).to_contain_text("服务效能未达标")

    assert console.tokens_in_urls() == []
    assert len(console.requested) > 20
