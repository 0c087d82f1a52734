"""Prometheus metrics of an API process, served at `GET /metrics` (docs/operations.md).

Counted as requests pass: request latency by route and status, decisions by action and outcome.
Read from the database at each scrape: decisions overdue by district (the read model's open
tasks), and the outbox (deliveries waiting, failed). The metrics are module-level, as Prometheus
clients expect one registry per process.
"""

from time import perf_counter

from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.open_tasks import RECTIFICATION_KIND
from sender.status import DeliveryStatus

REQUESTS = Histogram(
    "qis_http_request_duration_seconds",
    "HTTP requests by route template, method and status",
    ["route", "method", "status"],
)
DECISIONS = Counter(
    "qis_decisions_total",
    "Decisions sent to the lifecycle, by action and outcome",
    ["action", "outcome"],
)
OVERDUE = Gauge("qis_tasks_overdue", "Decisions past their due date, by district", ["district"])
OUTBOX = Gauge("qis_outbox_deliveries", "Outbox deliveries by status", ["status"])

# The inbox's open decisions (db.open_tasks) past their due date; a unit's rectification report
# is a report, not a decision.
_OVERDUE_SQL = text(
    "SELECT district, count(*) FROM open_tasks "
    f"WHERE kind <> '{RECTIFICATION_KIND}' AND due_at < now() GROUP BY district"
)
_OUTBOX_SQL = text("SELECT status, count(*) FROM deliveries GROUP BY status")


class ObserveRequests:
    """ASGI middleware: time each request under its route template (never the raw path).

    Plain ASGI, not `BaseHTTPMiddleware`: that one runs every request through a task group and
    memory streams, a fixed cost on each request (docs/performance.md).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, sending)
        # The router records the matched route in the scope it was given.
        template = getattr(scope.get("route"), "path", "unmatched")
        REQUESTS.labels(template, scope["method"], str(status)).observe(perf_counter() - started)


async def scrape(sessions: async_sessionmaker[AsyncSession]) -> Response:
    """The text exposition, with the database-derived gauges brought up to date first."""
    async with sessions() as session:
        overdue: dict[str, int] = {r[0]: r[1] for r in await session.execute(_OVERDUE_SQL)}
        outbox: dict[str, int] = {r[0]: r[1] for r in await session.execute(_OUTBOX_SQL)}
    OVERDUE.clear()
    for district, count in overdue.items():
        OVERDUE.labels(district).set(count)
    for status in DeliveryStatus:
        OUTBOX.labels(status.value).set(outbox.get(status.value, 0))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
