"""Signing in with a token and signing out (docs/console.md "Sessions")."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.deps import SessionDep
from api.services.tokens import authenticate
from console.auth import CSRF_FIELD, NO_CSRF, CheckedForm, SignedInDep, same_secret, set_cookie
from console.sessions import COOKIE, close_session, open_session
from console.templating import render

router = APIRouter(prefix="/console")

LOGIN_COOKIE = "qis_console_login"
LOGIN_PATH = "/console/login"
BAD_TOKEN = "凭证无效或已撤消：请向平台运营方申请新凭证（qis token create）"


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a console page of this site, never another site."""
    if path and path.startswith("/console") and not path.startswith("//") and "\\" not in path:
        return path
    return "/console"


def _login_page(
    request: Request, *, next_path: str, message: str = "", status: int = 200
) -> Response:
    """The sign-in form with a fresh CSRF value, also kept in a cookie (double submit)."""
    nonce = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        who=None,
        status=status,
        login_csrf=nonce,
        next_path=safe_next(next_path),
        message=message,
    )
    set_cookie(response, request, LOGIN_COOKIE, nonce, LOGIN_PATH)
    return response


@router.get("/login")
async def login_form(request: Request, next: str = "/console", ended: int = 0) -> Response:
    """The sign-in page."""
    message = "登录已过期或凭证已撤消，请重新登录" if ended else ""
    return _login_page(request, next_path=next, message=message)


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    next: Annotated[str, Form()] = "/console",
) -> Response:
    """Open a session for a live token; the token itself is kept nowhere."""
    if not same_secret(csrf, request.cookies.get(LOGIN_COOKIE, "")):
        return _login_page(request, next_path=next, message=NO_CSRF, status=403)
    caller = await authenticate(session, token.strip())
    if caller is None:
        return _login_page(request, next_path=next, message=BAD_TOKEN, status=401)
    session_id, _ = await open_session(session, caller)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(response, request, COOKIE, session_id, "/console")
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/logout")
async def logout(
    request: Request, session: SessionDep, who: SignedInDep, form: CheckedForm
) -> Response:
    """End the session; back to the sign-in page."""
    await close_session(session, request.cookies.get(COOKIE))
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response
