"""Who is signed in (the session cookie), and the CSRF check every posted form passes."""

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from api.deps import SessionDep
from console.errors import PageError, SignInRequired
from console.sessions import COOKIE, SignedIn, idle_limit, resume_session

CSRF_FIELD = "csrf"
NO_CSRF = "表单已失效或缺少安全校验码（CSRF），未作任何处理：请刷新页面后重新提交"


def set_cookie(response: Response, request: Request, name: str, value: str, path: str) -> None:
    """An HttpOnly, SameSite=Strict cookie, Secure when the page came over HTTPS."""
    response.set_cookie(
        name,
        value,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _here(request: Request) -> str:
    """Where to come back to after signing in: this page (a GET), else the inbox."""
    if request.method != "GET":
        return "/console"
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


async def signed_in(request: Request, session: SessionDep) -> SignedIn:
    """The live session of the request's cookie; SignInRequired without one."""
    cookie = request.cookies.get(COOKIE)
    who = await resume_session(session, cookie, idle=idle_limit())
    await session.close()
    if who is None:
        ended = "登录已过期或凭证已撤消，请重新登录" if cookie else ""
        raise SignInRequired(_here(request), ended)
    return who


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


def same_secret(given: object, expected: str) -> bool:
    """Whether a posted CSRF value is the expected one (constant-time)."""
    return (
        isinstance(given, str)
        and bool(expected)
        and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
    )


async def checked_form(request: Request, who: SignedInDep) -> FormData:
    """The posted form, once its CSRF value matches the session's; a 403 page otherwise."""
    form = await request.form()
    if not same_secret(form.get(CSRF_FIELD), who.csrf):
        raise PageError(403, NO_CSRF)
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
