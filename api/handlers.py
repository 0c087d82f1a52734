"""Errors to HTTP responses, by type, in one place; every body is an `ErrorRead` in Chinese."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from api.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    ServiceError,
    Unavailable,
)
from api.messages import field_problems
from api.schemas import ErrorRead, FieldProblem

log = logging.getLogger(__name__)

STATUS: dict[type[ServiceError], int] = {
    NotAuthenticated: 401,
    NotPermitted: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    Unavailable: 503,
}
DB_RETRY_AFTER = 5
# SQLSTATE classes of a server that cannot serve now: 08 connection exception, 53 insufficient
# resources (too many connections), 57P shutting down or starting up (57P01, 57P03). asyncpg's
# errors of these reach SQLAlchemy as a plain DBAPIError, not an OperationalError.
UNAVAILABLE_SQLSTATES = ("08", "53", "57P")


def _status(err: ServiceError) -> int:
    for kind in type(err).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def _json(status: int, body: ErrorRead, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


async def service_error(request: Request, err: Exception) -> JSONResponse:
    """A typed service error: its status from STATUS, its message and details."""
    assert isinstance(err, ServiceError)
    body = ErrorRead(code=err.code, detail=err.message)
    headers: dict[str, str] = {}
    if isinstance(err, Conflict) and err.allowed_actions is not None:
        body.allowed_actions = err.allowed_actions
    if isinstance(err, NotFound) and err.known:
        body.known_actions = err.known
    if isinstance(err, InvalidInput):
        body.errors = [FieldProblem(field=err.field, message=err.message)]
    if isinstance(err, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(err, Unavailable):
        headers["Retry-After"] = str(err.retry_after)
    return _json(_status(err), body, headers)


async def validation_error(request: Request, err: Exception) -> JSONResponse:
    """422 naming every field that is wrong, in Chinese."""
    assert isinstance(err, RequestValidationError)
    problems = field_problems(err.errors())
    detail = "请求有误：" + "；".join(p.message for p in problems[:5])
    if len(problems) > 5:
        detail += f"；另有{len(problems) - 5}处错误"
    return _json(422, ErrorRead(code="invalid_input", detail=detail, errors=problems))


_HTTP_TEXT = {
    # FastAPI answers 400 to a body it cannot decode (not UTF-8): malformed input, so 422.
    400: ("invalid_input", "请求体无法解析：请发送 UTF-8 编码的 JSON"),
    404: ("not_found", "没有这个地址，请查看 /docs 中的接口列表"),
    405: ("method_not_allowed", "该地址不支持这种请求方法，请查看 /docs"),
}


async def http_error(request: Request, err: Exception) -> JSONResponse:
    """Starlette's own errors (unknown path, wrong method) in the same shape."""
    assert isinstance(err, HTTPException)
    code, text = _HTTP_TEXT.get(err.status_code, ("error", str(err.detail)))
    status = 422 if err.status_code == 400 else err.status_code
    return _json(status, ErrorRead(code=code, detail=text), dict(err.headers or {}))


async def database_error(request: Request, err: Exception) -> JSONResponse:
    """The database did not answer: 503, retry later (never a 500)."""
    assert isinstance(err, DBAPIError | OSError)
    if isinstance(err, DBAPIError) and not (
        isinstance(err, OperationalError | InterfaceError)
        or err.connection_invalidated
        or str(getattr(err.orig, "sqlstate", None) or "").startswith(UNAVAILABLE_SQLSTATES)
    ):
        return await unexpected_error(request, err)
    log.warning("database unavailable: %s", err)
    body = ErrorRead(code="unavailable", detail="数据库暂时无法响应，请稍后重试")
    return _json(503, body, {"Retry-After": str(DB_RETRY_AFTER)})


async def unexpected_error(request: Request, err: Exception) -> JSONResponse:
    """A bug: logged with its traceback; the client gets a plain Chinese 500."""
    if isinstance(err, RecursionError):
        return _json(422, ErrorRead(code="invalid_input", detail="请求体嵌套层级过深"))
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=err)
    return _json(
        500, ErrorRead(code="internal_error", detail="服务器内部错误，已记录，请联系平台运营方")
    )


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(OSError, database_error)
    app.add_exception_handler(Exception, unexpected_error)
