"""Helpers for the browser tests: a signed-in page per caller, form filling, API set-up."""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Locator, Page, Request, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from domain.policy import Policy
from tests.api.helpers import project_body
from tests.helpers import CREDIT_CODE, eventually

# The 3-year evaluation compressed to a week, so the walk reaches it with one skip of time.
COMPRESSED = Policy(municipal_review_interval="P7D")
REVIEW_FALLS_DUE = 8  # days after the municipal naming
# Screenshots go where QIS_SCREENSHOTS says (scripts/screenshots: docs/screenshots), if set.
SCREENSHOTS = os.environ.get("QIS_SCREENSHOTS", "")


@dataclass
class Console:
    """The served console, a browser, and a token per caller (tests.api.helpers.CALLERS)."""

    url: str
    browser: Browser
    tokens: dict[str, str]
    sessions: async_sessionmaker[AsyncSession]
    env: WorkflowEnvironment
    task_queue: str = ""
    contexts: list[BrowserContext] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    async def new_page(self, *, phone: bool = False) -> Page:
        """A page in a fresh browser (its own cookies), every URL it asks for recorded."""
        context = await self.browser.new_context(
            base_url=self.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        )
        self.contexts.append(context)

        def record(request: Request) -> None:
            self.requested.append(request.url)

        context.on("request", record)
        return await context.new_page()

    async def sign_in(self, page: Page, who: str) -> None:
        """Sign in with `who`'s token through the sign-in form; lands in the inbox."""
        await page.goto("/console/login")
        await page.get_by_label("凭证").fill(self.tokens[who])
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("heading", name="待办事项")).to_be_visible()

    async def page_for(self, who: str, *, phone: bool = False) -> Page:
        """A fresh browser signed in as `who`."""
        page = await self.new_page(phone=phone)
        await self.sign_in(page, who)
        return page

    async def api(self, who: str, path: str, body: Any = None) -> dict[str, Any]:
        """A set-up step through the JSON API (POST), as `who`."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            response = await http.post(
                path, json=body, headers={"Authorization": f"Bearer {self.tokens[who]}"}
            )
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def registered(self, *steps: tuple[str, str, dict[str, Any] | None]) -> str:
        """A project registered through the API and taken through `steps` (who, action, body)."""
        project = await self.api("operator", "/v1/projects", project_body())
        for who, action, body in steps:
            await self.api(who, f"/v1/projects/{project['id']}/actions/{action}", body)
        project_id: str = project["id"]
        return project_id

    def tokens_in_urls(self) -> list[str]:
        """Every recorded URL that holds one of the tokens."""
        return [u for u in self.requested if any(t in u for t in self.tokens.values())]

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


def action_form(page: Page, action: str) -> Locator:
    """The form of one action on a project page."""
    return page.locator(f"form#action-{action}")


async def choose(scope: Locator, question: str, yes: bool) -> None:
    """Answer a 是/否 question (a radio group named by its legend)."""
    group = scope.get_by_role("group", name=question)
    await group.get_by_label("是" if yes else "否", exact=True).check()


async def eventually_visible(page: Page, url: str, locator: Locator) -> None:
    """Load `url` again until `locator` is on it (a row a process writes a moment later)."""

    async def shown() -> int:
        await page.goto(url)
        return await locator.count()

    await eventually(shown, lambda count: count > 0, interval=0.2)
    await expect(locator).to_be_visible()


async def submit(form: Locator) -> None:
    await form.get_by_role("button").click()


async def shoot(page: Page, name: str) -> None:
    """A full-page screenshot under QIS_SCREENSHOTS, when set."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


async def fill_registration(form: Locator, *, focus: str, element: str, title: str) -> None:
    """Fill the registration (or import) form with the example unit in 浦东新区, one service
    item, and every basic condition met."""
    await form.locator("#register-unit-name").fill("上海示例检测技术有限公司")
    await form.locator("#register-unit-credit_code").fill(CREDIT_CODE)
    await form.locator("#register-unit-contact-person").fill("张三")
    await form.locator("#register-unit-contact-phone").fill("021-00000000")
    await form.locator("#register-unit-contact-email").fill("qis@example.cn")
    await form.locator("#register-district").select_option("310115")
    await form.locator("#register-type").select_option("industry")
    await form.locator("#register-focus").fill(focus)
    await form.locator("#register-service_items-0-element").select_option(element)
    await form.locator("#register-service_items-0-title").fill(title)
    for condition in ("plan_fit", "five_element_capability", "systems_and_resources"):
        await form.locator(f"#register-basic_conditions-{condition}-met-yes").check()
