"""`GET /metrics`: Prometheus text with request latency, decisions, overdue tasks and the outbox."""

from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from db import open_tasks, tables
from tests.api.helpers import Api


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scrape(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_metrics_count_decisions_requests_and_overdue_tasks(api: Api) -> None:
    before = await scrape(api)
    project = await api.register()
    assert (await api.act(project["id"], "request-acceptance", None, "unit")).status_code == 200
    refused = await api.act(project["id"], "request-acceptance", None, "unit")
    assert refused.status_code == 409
    # The district bureau's acceptance task, made overdue in the read model.
    async with api.sessions.begin() as session:
        row = await session.get(tables.Project, project["id"])
        assert row is not None
        past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        tasks = [{**t, "due_at": past} for t in row.tasks]
        await session.execute(
            update(tables.Project).where(tables.Project.id == row.id).values(tasks=tasks)
        )
        await open_tasks.refresh(session, row.id)  # as the store does after writing the row
    after = await scrape(api)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("qis_decisions_total", action="request-acceptance", outcome="accepted") == 1
    assert grew("qis_decisions_total", action="request-acceptance", outcome="refused") == 1
    route = "/v1/projects/{project_id}/actions/request-acceptance"
    count = "qis_http_request_duration_seconds_count"
    assert grew(count, route=route, method="POST", status="200") == 1
    assert grew(count, route=route, method="POST", status="409") == 1
    assert grew(count, route="/v1/projects", method="POST", status="201") == 1
    assert after[("qis_tasks_overdue", (("district", "310115"),))] == 1
    assert ("qis_outbox_deliveries", (("status", "pending"),)) in after
    # Raw paths (with ids) never become labels.
    assert not any(project["id"] in str(labels) for _, labels in after)


async def test_metrics_are_for_the_host_only(api: Api) -> None:
    app = api.http._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://qis.test") as outside:
        response = await outside.get("/metrics")
    assert response.status_code == 403
    assert "本机" in response.json()["detail"]
