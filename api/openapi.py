"""OpenAPI pieces: documented error responses, header parameters, offline Swagger UI and ReDoc."""

from pathlib import Path
from typing import Annotated, Any

import fastapi_offline
from fastapi import FastAPI, Header
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.schemas import ErrorRead

# The Swagger UI and ReDoc files shipped inside the fastapi-offline wheel: no CDN at run time.
STATIC_DIR = Path(fastapi_offline.__file__).parent / "static"
STATIC_URL = "/docs-static"

_DESCRIPTIONS = {
    401: "缺少凭证，或凭证无效、已撤消",
    403: "凭证的角色或范围（区、单位）不允许",
    404: "项目（或决定）不存在",
    409: "当前状态不接受该请求；决定被拒时附当前可执行的决定 allowed_actions",
    422: "请求内容有误，errors 逐项指明字段",
    503: "流程服务（Temporal）或数据库暂不可用，请按 Retry-After 秒后重试",
}


# The header a paged list answers with: how many entries it holds in all.
TOTAL_HEADER = "X-Total-Count"


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses of a route, each an ErrorRead with a Chinese description."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {"model": ErrorRead, "description": _DESCRIPTIONS[code]}
        if code == 503:
            entry["headers"] = {
                "Retry-After": {"description": "建议的重试等待秒数", "schema": {"type": "integer"}}
            }
        responses[code] = entry
    return responses


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="幂等键：同一凭证以同一键重发的请求只执行一次（如网络超时后重试）",
        examples=["3f6c1d2e-acceptance-1"],
    ),
]


def install_docs(app: FastAPI) -> None:
    """Serve /docs (Swagger UI) and /redoc from packaged files, so they work offline."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        """Swagger UI from packaged files."""
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - 接口文档",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        """ReDoc from packaged files, without web fonts."""
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{STATIC_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC_URL}/favicon.png",
            with_google_fonts=False,
        )
