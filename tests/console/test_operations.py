"""An operator's other pages: importing a named project, a registration refused field by field,
contacts, the failed deliveries and their retry; and the list's filters and search."""

from datetime import UTC, datetime

from playwright.async_api import expect
from sqlalchemy import select

from db import tables
from tests.console.helpers import Console, fill_registration, shoot, submit


async def test_an_operator_imports_a_named_project(console: Console) -> None:
    page = await console.page_for("operator")
    await page.get_by_role("link", name="导入项目").click()
    form = page.locator("form#register")
    await fill_registration(form, focus="集成电路", element="standards", title="标准化咨询")
    await form.get_by_label("区级命名日期").fill("2025-05-10")
    await submit(form)
    await expect(page.locator(".level")).to_have_text("区级")
    await expect(page.get_by_role("cell", name="2025年5月10日")).to_be_visible()


async def test_a_registration_is_refused_field_by_field_keeping_what_was_typed(
    console: Console,
) -> None:
    page = await console.page_for("district")
    await page.get_by_role("link", name="登记项目").click()
    form = page.locator("form#register")
    # The district comes from the bureau's token.
    await expect(form.locator("#register-district")).to_have_value("310115")
    await form.locator("#register-unit-name").fill("上海示例检测技术有限公司")
    await form.locator("#register-unit-credit_code").fill("91310115MA1H7XK2BX")
    await form.locator("#register-unit-contact-email").fill("不是邮箱")
    await submit(form)
    form = page.locator("form#register")
    await expect(form.locator("#register-unit-credit_code-error")).to_contain_text(
        "unit.credit_code（统一社会信用代码）："
    )
    await expect(form.locator("#register-unit-contact-email-error")).to_have_text(
        "unit.contact.email（电子邮箱）：电子邮箱格式不正确，例如 qis@example.cn"
    )
    await expect(form.locator("#register-focus-error")).to_have_text(
        "focus（产业或区域名称）：缺少必填字段"
    )
    await expect(form.locator("#register-unit-name")).to_have_value("上海示例检测技术有限公司")
    await expect(form.locator("#register-unit-contact-email")).to_have_value("不是邮箱")


async def test_an_operator_sets_a_contact_and_retries_a_failed_delivery(
    console: Console,
) -> None:
    pid = await console.registered()
    async with console.sessions.begin() as session:
        notification = tables.Notification(
            key="test-failed",
            recipient="district_bureau:310115",
            recipient_role="district_bureau",
            recipient_district="310115",
            project_id=pid,
            subject="项目验收待办",
            body="请办理",
            created_at=datetime.now(UTC),
        )
        session.add(notification)
        await session.flush()
        session.add(
            tables.Delivery(
                notification_id=notification.id,
                channel="email",
                address="zhiliang@pudong.example.cn",
                status="failed",
                attempts=8,
                last_error="收件服务器拒收：550 mailbox unavailable",
                failed_at=datetime.now(UTC),
            )
        )
    page = await console.page_for("operator")
    await page.get_by_role("link", name="通知联系方式").click()
    form = page.locator("form#contact")
    await form.get_by_label("收件角色").select_option("district_bureau")
    await form.get_by_label("区代码").select_option("310115")
    await form.get_by_label("收件邮箱").fill("zhiliang@pudong.example.cn\nkeshi@pudong.example.cn")
    await submit(form)
    await expect(page.get_by_role("status")).to_contain_text("已保存")
    await expect(page.get_by_role("cell", name="keshi@pudong.example.cn")).to_be_visible()

    await page.get_by_role("link", name="发件箱").click()
    row = page.get_by_role("row").filter(has_text="项目验收待办")
    await expect(row).to_contain_text("550 mailbox unavailable")
    await shoot(page, "outbox")
    await row.get_by_role("button", name="重发").click()
    await expect(page.get_by_role("status")).to_contain_text("已重新排队发送")
    await expect(page.get_by_text("没有已放弃的投递。")).to_be_visible()
    async with console.sessions() as session:
        status = await session.scalar(select(tables.Delivery.status))
    assert status == "pending"


async def test_the_list_filters_and_searches_in_the_callers_scope(console: Console) -> None:
    await console.registered()
    page = await console.page_for("municipal", phone=True)
    await page.goto("/console/projects")
    await expect(
        page.get_by_role("link", name="浦东新区生物医药质量基础设施“一站式”服务项目")
    ).to_be_visible()
    await page.get_by_label("搜索名称、产业（区域）或单位").fill("集成电路")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.get_by_text("没有符合条件的项目。")).to_be_visible()
    await page.get_by_label("搜索名称、产业（区域）或单位").fill("生物")
    await page.get_by_label("阶段").select_option("building")
    await page.get_by_label("类型").select_option("industry")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.get_by_role("cell", name="上海示例检测技术有限公司")).to_be_visible()
    await expect(page.locator("caption")).to_contain_text("共 1 个项目")
    await shoot(page, "projects-phone")
