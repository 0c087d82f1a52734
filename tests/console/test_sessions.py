"""Sessions: the cookie's flags, sign-out, the idle time, a revoked token, CSRF on every form,
and no token in a URL or a page."""

import re
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import expect
from sqlalchemy import update

from api.services.tokens import revoke_token
from console.sessions import COOKIE, idle_limit
from db import tables
from tests.console.helpers import Console, action_form, submit

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def test_the_session_cookie_is_httponly_strict_and_holds_no_token(console: Console) -> None:
    page = await console.page_for("district")
    [cookie] = [c for c in await page.context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # served over plain http here; see the HTTPS test
    assert cookie["path"] == "/console"
    assert console.tokens["district"] not in cookie["value"]
    assert console.tokens["district"] not in await page.content()
    await expect(page.locator(".who")).to_contain_text("区市场监管局（浦东新区）")
    assert console.tokens_in_urls() == []


async def test_over_https_the_cookies_are_secure(console: Console) -> None:
    # Behind a TLS-terminating proxy uvicorn takes the scheme from X-Forwarded-Proto.
    https = {"X-Forwarded-Proto": "https"}
    async with httpx.AsyncClient(base_url=console.url, headers=https) as http:
        login = await http.get("/console/login")
        assert "Secure" in login.headers["set-cookie"]
        [csrf] = CSRF.findall(login.text)
        # The client keeps a Secure cookie for https only; the server here speaks plain http.
        nonce = login.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        http.cookies.clear()
        http.cookies.set("qis_console_login", nonce)
        answer = await http.post(
            "/console/login",
            data={"token": console.tokens["municipal"], "csrf": csrf, "next": "/console"},
        )
    assert answer.status_code == 303, answer.text
    [session_cookie] = [
        v
        for k, v in answer.headers.multi_items()
        if k == "set-cookie" and v.startswith(f"{COOKIE}=")
    ]
    flags = {part.strip().lower() for part in session_cookie.split(";")}
    assert {"httponly", "secure", "samesite=strict", "path=/console"} <= flags


async def test_a_wrong_token_is_refused_without_echoing_it(console: Console) -> None:
    page = await console.new_page()
    await page.goto("/console/login")
    await page.get_by_label("凭证").fill("not-a-token-at-all")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "凭证无效或已撤消：请向平台运营方申请新凭证（qis token create）"
    )
    assert "not-a-token-at-all" not in await page.content()
    await expect(page.get_by_label("凭证")).to_have_value("")


async def test_sign_out_ends_the_session(console: Console) -> None:
    page = await console.page_for("unit")
    await page.get_by_role("button", name="退出登录").click()
    await expect(page.get_by_role("heading", name="登录管理控制台")).to_be_visible()
    await page.goto("/console/projects")
    await expect(page.get_by_role("heading", name="登录管理控制台")).to_be_visible()
    assert [c for c in await page.context.cookies() if c["name"] == COOKIE] == []


async def test_a_revoked_token_ends_its_sessions(console: Console) -> None:
    page = await console.page_for("district")
    await page.goto("/console/projects")
    await expect(page.get_by_role("heading", name="项目", exact=True)).to_be_visible()
    async with console.sessions.begin() as session:
        await revoke_token(session, console.tokens["district"])
    await page.reload()
    await expect(page.get_by_role("heading", name="登录管理控制台")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_text("登录已过期或凭证已撤消，请重新登录")
    # Signing in again with the revoked token is refused too.
    await page.get_by_label("凭证").fill(console.tokens["district"])
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("alert")).to_contain_text("凭证无效或已撤消")


async def test_an_idle_session_ends(console: Console) -> None:
    page = await console.page_for("municipal")
    long_ago = datetime.now(UTC) - idle_limit() - timedelta(seconds=1)
    async with console.sessions.begin() as session:
        await session.execute(update(tables.ConsoleSession).values(last_seen_at=long_ago))
    await page.goto("/console/projects")
    await expect(page.get_by_role("heading", name="登录管理控制台")).to_be_visible()
    # After signing in again, the person lands on the page they asked for.
    await page.get_by_label("凭证").fill(console.tokens["municipal"])
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name="项目", exact=True)).to_be_visible()


async def test_a_form_posted_without_its_csrf_token_is_refused(console: Console) -> None:
    pid = await console.registered()
    page = await console.page_for("unit")
    await page.goto(f"/console/projects/{pid}")
    form = action_form(page, "request-acceptance")
    await form.locator("input[name=csrf]").evaluate("input => input.remove()")
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await submit(form)
    assert (await posted.value).status == 403
    await expect(page.get_by_role("alert")).to_contain_text("缺少安全校验码（CSRF），未作任何处理")
    await page.goto(f"/console/projects/{pid}")
    await expect(page.locator(".stage")).to_have_text("建设中")


async def test_the_sign_in_form_needs_its_csrf_token_too(console: Console) -> None:
    async with httpx.AsyncClient(base_url=console.url) as http:
        answer = await http.post("/console/login", data={"token": console.tokens["operator"]})
    assert answer.status_code == 403
    assert f"{COOKIE}=" not in answer.headers.get("set-cookie", "")


async def test_signing_in_and_moving_about_with_the_keyboard_alone(console: Console) -> None:
    page = await console.new_page()
    await page.goto("/console/projects?stage=building")
    await expect(page.get_by_label("凭证")).to_be_focused()  # sent to sign in first
    await page.keyboard.type(console.tokens["operator"])
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="项目", exact=True)).to_be_visible()
    await expect(page.get_by_label("阶段")).to_have_value("building")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="待办")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="待办事项")).to_be_visible()


async def test_an_unknown_console_page_is_a_chinese_404(console: Console) -> None:
    page = await console.page_for("operator")
    response = await page.goto("/console/nothing-here")
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("alert")).to_have_text("没有这个页面，请从导航栏进入")
