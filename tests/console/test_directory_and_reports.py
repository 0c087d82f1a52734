"""The public directory page (Art. 11) and the district reports page (Art. 9.1, 9.4) in the
Debian Chromium: the directory without JavaScript, filtered, printable, Chinese, and with
nothing internal; the reports page with its CSV and a district bureau's submission."""

from datetime import UTC, datetime
from typing import Any

import httpx
from playwright.async_api import expect
from sqlalchemy import select

from console.routes.directory import PAGE_SIZE
from db import tables
from tests.api.helpers import project_body
from tests.api.seeds import seed_named_projects
from tests.console.helpers import Console, action_form, eventually_visible, submit
from workflows import report_workflow_id
from workflows.district_report import DistrictReport, DistrictReportInput

INTERNAL_NOTE = "内部意见请勿公开"


async def _import(console: Console, focus: str, district: str, **extra: Any) -> str:
    body = project_body(focus=focus, district=district, **extra)
    project = await console.api("operator", "/v1/projects/import", body)
    pid: str = project["id"]
    return pid


async def test_the_directory_is_public_filtered_printable_and_shows_nothing_internal(
    console: Console,
) -> None:
    district_project = await _import(console, "生物医药", "310115", district_named_on="2024-06-01")
    municipal_project = await _import(
        console,
        "集成电路",
        "310104",
        district_named_on="2023-03-01",
        municipal_named_on="2024-03-01",
        service_items=[{"element": "standards", "title": "团体标准制定辅导"}],
    )
    actions = f"/v1/projects/{district_project}/actions"
    case = {
        "title": "一站式计量服务助企提质",
        "summary": "整合计量检测资源服务园区企业",
        "note": INTERNAL_NOTE,
    }
    await console.api("municipal", f"{actions}/select-typical-case", case)
    await console.api(
        "municipal",
        f"/v1/projects/{municipal_project}/actions/recommend-national-base",
        {"note": INTERNAL_NOTE},
    )

    context = await console.browser.new_context(
        base_url=console.url, locale="zh-CN", java_script_enabled=False
    )
    console.contexts.append(context)
    page = await context.new_page()
    response = await page.goto("/directory")
    assert response is not None
    assert response.status == 200
    heading = page.get_by_role("heading", name="质量基础设施集成服务项目名录")
    await expect(heading).to_be_visible()
    # Chinese text is laid out with real glyphs (a missing font would give empty boxes).
    box = await heading.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert await page.locator("script").count() == 0
    entries = page.locator("article.entry")
    await expect(entries).to_have_count(2)
    await expect(page.get_by_text("已推荐申报国家质量基础设施集成服务基地")).to_be_visible()
    await expect(
        page.get_by_role("heading", name="典型案例：一站式计量服务助企提质")
    ).to_be_visible()
    await expect(page.get_by_text("整合计量检测资源服务园区企业")).to_be_visible()
    text = await page.locator("main").inner_text()
    for internal in (INTERNAL_NOTE, "评分", "待办", *console.tokens.values()):
        assert internal not in text

    # Filters work without JavaScript: a plain GET form.
    await page.get_by_label("所在区").select_option(label="徐汇区")
    await page.get_by_role("button", name="筛选").click()
    await expect(entries).to_have_count(1)
    await expect(
        page.get_by_role("heading", name="上海市集成电路质量基础设施集成服务项目")
    ).to_be_visible()
    await page.goto("/directory?element=metrology")
    await expect(entries).to_have_count(1)
    await expect(
        page.get_by_role("heading", name="典型案例：一站式计量服务助企提质")
    ).to_be_visible()
    await page.goto("/directory?level=municipal")
    await expect(entries).to_have_count(1)

    # Printed, the filters and navigation are left out; the entries stay.
    await page.goto("/directory")
    await page.emulate_media(media="print")
    await expect(page.locator("form.filters")).to_be_hidden()
    await expect(entries).to_have_count(2)
    await expect(entries.first).to_be_visible()


async def test_the_directory_pages_without_javascript_and_prints_the_page_shown(
    console: Console,
) -> None:
    await seed_named_projects(console.sessions, count=280)
    async with httpx.AsyncClient(base_url=console.url) as http:
        whole = (await http.get("/v1/directory")).json()
        municipal = (await http.get("/v1/directory?level=municipal")).json()
    assert 2 * PAGE_SIZE < len(whole) <= 3 * PAGE_SIZE
    assert PAGE_SIZE < len(municipal) <= 2 * PAGE_SIZE

    context = await console.browser.new_context(
        base_url=console.url, locale="zh-CN", java_script_enabled=False
    )
    console.contexts.append(context)
    page = await context.new_page()
    await page.goto("/directory")
    entries = page.locator("article.entry")
    headings = entries.locator("h2")
    count = page.locator("p.count")
    pager = page.get_by_role("navigation", name="分页")
    await expect(entries).to_have_count(PAGE_SIZE)
    await expect(count).to_have_text(
        f"共 {len(whole)} 个项目，本页为第 1–{PAGE_SIZE} 个（第 1 页，共 3 页）"
    )
    assert await headings.all_inner_texts() == [e["name"] for e in whole[:PAGE_SIZE]]
    await expect(pager.get_by_role("link", name="上一页")).to_have_count(0)

    # Plain links page through the list in the JSON's order, and back.
    await pager.get_by_role("link", name="下一页").click()
    await expect(page).to_have_url(f"{console.url}/directory?page=2")
    await expect(entries).to_have_count(PAGE_SIZE)
    assert await headings.all_inner_texts() == [e["name"] for e in whole[PAGE_SIZE : 2 * PAGE_SIZE]]
    await pager.get_by_role("link", name="下一页").click()
    await expect(entries).to_have_count(len(whole) - 2 * PAGE_SIZE)
    await expect(pager.get_by_role("link", name="下一页")).to_have_count(0)
    await pager.get_by_role("link", name="上一页").click()
    await expect(page).to_have_url(f"{console.url}/directory?page=2")

    # Printed, the page shown is printed with its count line; the pager is left out.
    await page.emulate_media(media="print")
    await expect(pager).to_be_hidden()
    await expect(count).to_be_visible()
    await expect(entries).to_have_count(PAGE_SIZE)
    await page.emulate_media(media="screen")

    # The filters stay on every page; a page past the end shows the last one.
    await page.get_by_label("级别").select_option(label="市级项目")
    await page.get_by_role("button", name="筛选").click()
    await expect(entries).to_have_count(PAGE_SIZE)
    await pager.get_by_role("link", name="下一页").click()
    await expect(page).to_have_url(f"{console.url}/directory?level=municipal&page=2")
    assert await headings.all_inner_texts() == [e["name"] for e in municipal[PAGE_SIZE:]]
    await page.goto("/directory?level=municipal&page=999")
    assert await headings.all_inner_texts() == [e["name"] for e in municipal[PAGE_SIZE:]]
    for not_a_page in ("abc", "0", "²", "-1"):  # "²" is a digit to str.isdigit, not to int()
        await page.goto(f"/directory?page={not_a_page}")
        assert await headings.all_inner_texts() == [e["name"] for e in whole[:PAGE_SIZE]]


async def test_the_reports_page_shows_the_figures_offers_the_csv_and_takes_the_report(
    console: Console,
) -> None:
    pid = await _import(console, "生物医药", "310115", district_named_on="2024-06-01")
    period = str(datetime.now(UTC).year - 1)
    # The unit submits its figures in the project's form: one number per element.
    unit = await console.page_for("unit")
    await unit.goto(f"/console/projects/{pid}")
    form = action_form(unit, "submit-data")
    await form.get_by_label("数据周期").fill(period)
    await form.get_by_label("服务中小企业数").fill("42")
    await form.get_by_label("计量", exact=True).fill("7")
    await form.get_by_label("成效说明").fill("检测周期缩短三成")
    await submit(form)
    await expect(unit.get_by_text(f"报送{period}周期成效数据").first).to_be_visible()

    page = await console.page_for("municipal")
    await page.goto(f"/console/reports?period={period}")
    table = page.get_by_role("table")
    await expect(table.locator("tbody tr")).to_have_count(16)
    pudong = table.get_by_role("row", name="浦东新区")
    await expect(pudong).to_contain_text("42")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="下载 CSV（中文表头，可用电子表格打开）").click()
    download = await waiting.value
    path = await download.path()
    content = path.read_bytes()
    assert content.startswith("\ufeff区代码,区,数据周期".encode())

    # The period's report process opens (as the schedule opens it): it is in the inbox.
    await console.env.client.start_workflow(
        DistrictReport.run,
        DistrictReportInput(district="310115", period=period),
        id=report_workflow_id("310115", period),
        task_queue=console.task_queue,
    )
    district = await console.page_for("district")
    owed = district.get_by_role("row", name=f"浦东新区{period}周期区级报告")
    await eventually_visible(district, "/console", owed)
    await owed.get_by_role("link", name="报送区级报告").click()
    await expect(district).to_have_url(f"{console.url}/console/reports?period={period}")
    await expect(district.get_by_role("table").locator("tbody tr")).to_have_count(1)
    await district.get_by_label("附言（可选，致市市场监管局）").fill("本区数据已核对")
    await district.get_by_role("button", name=f"报送{period}周期区级报告").click()
    await expect(district.get_by_role("status")).to_contain_text("本区本周期数据已冻结")
    async with console.sessions() as session:
        note = await session.scalar(
            select(tables.DistrictReport.note).where(
                tables.DistrictReport.key == f"310115/{period}"
            )
        )
    assert note == "本区数据已核对"
    await expect(district.get_by_role("row", name="浦东新区")).to_contain_text("已报送")
    await expect(district.get_by_role("button", name=f"报送{period}周期区级报告")).to_have_count(0)
    await district.goto("/console")
    await expect(district.get_by_text(f"浦东新区{period}周期区级报告")).to_have_count(0)
