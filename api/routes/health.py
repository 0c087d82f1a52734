"""Liveness for ops: the database and Temporal both answer."""

import asyncio
import ipaddress

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api import metrics
from api.deps import ResourcesDep
from api.errors import NotPermitted
from api.schemas import HealthRead

router = APIRouter(tags=["运维"])
DB_TIMEOUT_SECONDS = 3.0


@router.get(
    "/healthz",
    summary="健康检查",
    response_description="数据库和 Temporal 均正常",
    description="数据库和 Temporal 均可响应时返回 200，否则 503。",
    response_model=HealthRead,
    responses={503: {"model": HealthRead, "description": "数据库或 Temporal 不可用"}},
)
async def healthz(resources: ResourcesDep) -> JSONResponse:
    """200 when the database and Temporal answer, else 503 naming which did not."""

    async def database_ok() -> bool:
        """Whether the database answers a trivial query in time."""
        try:
            async with asyncio.timeout(DB_TIMEOUT_SECONDS), resources.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # any failure to answer means "not healthy", never an error page
            return False
        return True

    db, temporal = await asyncio.gather(database_ok(), resources.temporal.healthy())
    health = HealthRead(
        status="ok" if db and temporal else "unavailable",
        database="ok" if db else "unavailable",
        temporal="ok" if temporal else "unavailable",
    )
    headers = {} if health.status == "ok" else {"Retry-After": "5"}
    return JSONResponse(
        health.model_dump(), status_code=200 if health.status == "ok" else 503, headers=headers
    )


@router.get(
    "/metrics",
    summary="Prometheus 指标",
    description="Prometheus 文本格式的指标，仅本机可读（反向代理之后请勿公开此路径）。",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus 文本格式"}},
)
async def prometheus_metrics(request: Request, resources: ResourcesDep) -> Response:
    """The process's metrics, for a scraper on the same host."""
    client = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(client).is_loopback
    except ValueError:
        local = False
    if not local:
        raise NotPermitted("指标只对本机开放，请在运行 API 的主机上抓取")
    return await metrics.scrape(resources.sessions)
