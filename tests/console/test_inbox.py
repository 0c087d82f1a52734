"""The inbox marks overdue and escalated decisions in words and colour."""

from datetime import timedelta
from typing import Any

from playwright.async_api import expect
from sqlalchemy import select

from db import tables
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
