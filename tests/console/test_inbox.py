"""The inbox marks overdue and escalated decisions in words and colour."""

from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from console.routes import inbox
from db import tables
from tests.api.helpers import project_body
from tests.console.helpers import Console
from tests.helpers import eventually

NAME = "浦东新区生物医药质量基础设施“一站式”服务项目"


async def test_an_overdue_decision_is_marked_and_the_municipal_bureau_supervises_it(
    console: Console,
) -> None:
    pid = await console.registered(("unit", "request-acceptance", None))
    await console.env.sleep(timedelta(days=31))  # past the 30 days of decision_due

    async def tasks() -> list[dict[str, Any]]:
        async with console.sessions() as session:
            found = await session.scalar(
                select(tables.Project.tasks).where(tables.Project.id == pid)
            )
        return list(found or [])

    await eventually(tasks, lambda t: bool(t) and t[0]["escalated"], within=30)

    district = await console.page_for("district")
    row = district.get_by_role("row").filter(has_text=NAME)
    await expect(row).to_contain_text("已逾期，已报市局督办")
    await expect(row).to_have_class("escalated")
    municipal = await console.page_for("municipal")
    row = municipal.get_by_role("row").filter(has_text=NAME)
    await expect(row).to_contain_text("督办：等待区市场监管局")
    await expect(row.get_by_role("link", name="验收结论")).to_be_visible()
    color = await row.locator(".badge.bad").evaluate("badge => getComputedStyle(badge).color")
    assert color == "rgb(164, 22, 26)"  # --bad


async def test_the_inbox_pages_without_javascript(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for focus in ("生物医药", "集成电路", "人工智能"):
        project = await console.api("operator", "/v1/projects", project_body(focus=focus))
        await console.api("unit", f"/v1/projects/{project['id']}/actions/request-acceptance")
    district = await console.page_for("district")
    table = district.get_by_role("table")
    await expect(table.locator("caption")).to_have_text("共 3 项，第 1 页")
    await expect(table.locator("tbody tr")).to_have_count(2)
    first = await table.locator("tbody tr").all_inner_texts()
    await district.get_by_role("link", name="下一页").click()
    await expect(table.locator("caption")).to_have_text("共 3 项，第 2 页")
    await expect(table.locator("tbody tr")).to_have_count(1)
    second = await table.locator("tbody tr").all_inner_texts()
    assert len(set(first + second)) == 3
    await expect(district.get_by_role("link", name="下一页")).to_have_count(0)
    await district.get_by_role("link", name="上一页").click()
    await expect(table.locator("tbody tr")).to_have_count(2)
    await district.goto("/console?page=9")  # past the end: the last page
    await expect(table.locator("caption")).to_have_text("共 3 项，第 2 页")
