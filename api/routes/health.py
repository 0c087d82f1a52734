"""Liveness for ops: the database and Temporal both answer."""

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import ResourcesDep
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
