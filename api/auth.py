"""Bearer tokens: who the caller is (401 when unknown), and what their role lets them do (403)."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SessionDep
from api.errors import NotAuthenticated, NotPermitted
from api.services.tokens import Caller, authenticate
from domain.actors import Role

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="由 `qis token create` 创建的凭证：`Authorization: Bearer <凭证>`",
)


async def get_caller(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller of a live token; NotAuthenticated for a missing, unknown or revoked one."""
    if credentials is None:
        raise NotAuthenticated(
            "缺少凭证：请在请求头加入 Authorization: Bearer <凭证>（凭证由 qis token create 创建）"
        )
    caller = await authenticate(session, credentials.credentials)
    if caller is None:
        raise NotAuthenticated("凭证无效或已撤消：请向平台运营方申请新凭证（qis token create）")
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_roles(*roles: Role, what: str) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency letting only `roles` through; `what` names the request in the message."""

    async def dependency(caller: CallerDep) -> Caller:
        """The caller, if their role is one of `roles`."""
        if caller.role not in roles:
            who = "、".join(r.label for r in roles)
            raise NotPermitted(f"“{what}”只能由{who}办理，当前凭证为{caller.describe()}")
        return caller

    return dependency
