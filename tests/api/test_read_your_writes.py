"""A 2xx answer means the next read, by anyone, already shows the change (real dev server).

Decisions wait for their step's transaction; an import waits for the step that grants its names.
Each check reads immediately after the answer, with no polling: a read that trailed would fail.
"""

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from db import tables
from tests.api.helpers import Api, make_tokens, project_body
from tests.helpers import running_worker

ROUNDS = 34  # three decisions each: 102 decide-then-read checks


@pytest.fixture
async def live_api(
    dev_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
) -> AsyncIterator[Api]:
    client = dev_env.client
    async with running_worker(client, session_factory) as harness:
        app = create_app(
            client=client,
            database_url=database_url,
            task_queue=harness.task_queue,
            temporal_timeout=timedelta(seconds=30),
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://qis.test"
            ) as http,
        ):
            yield Api(
                http=http,
                client=client,
                sessions=session_factory,
                tokens=await make_tokens(session_factory),
                database_url=database_url,
                task_queue=harness.task_queue,
            )


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_every_decision_is_visible_to_the_very_next_read(live_api: Api) -> None:
    api = live_api
    for n in range(ROUNDS):
        project = ok(await api.post("/v1/projects", project_body(focus=f"生物医药{n}")))
        pid = project["id"]

        ok(await api.act(pid, "request-acceptance", None, "unit"))
        inbox = ok(await api.get("/v1/tasks", "district"))
        assert pid in {t["project_id"] for t in inbox}, f"round {n}: inbox trails the request"

        ok(await api.act(pid, "decide-acceptance", {"passed": True}, "district"))
        names = {e["name"] for e in ok(await api.get("/v1/directory", None))}
        assert f"浦东新区生物医药{n}质量基础设施“一站式”服务项目" in names, f"round {n}"
        listed = ok(await api.get("/v1/projects", "unit", {"stage": "district_named"}))
        assert pid in {p["id"] for p in listed["items"]}, f"round {n}: list trails acceptance"
        assert pid not in {t["project_id"] for t in ok(await api.get("/v1/tasks", "district"))}

        finding = {"scope": "district", "finding": "false_data", "note": "报送数据不实"}
        ok(await api.act(pid, "report-violation", finding, "district"))
        names = {e["name"] for e in ok(await api.get("/v1/directory", None))}
        assert f"浦东新区生物医药{n}质量基础设施“一站式”服务项目" not in names, f"round {n}"
        shown = ok(await api.get(f"/v1/projects/{pid}", "municipal"))
        assert shown["stage"] == "revoked"


async def test_an_import_is_in_the_directory_when_it_is_answered(live_api: Api) -> None:
    named_on = (date.today() - timedelta(days=400)).isoformat()
    body = {**project_body(focus="集成电路"), "district_named_on": named_on}
    project = ok(await live_api.post("/v1/projects/import", body))
    entries = ok(await live_api.get("/v1/directory", None))
    assert [e["named_on"] for e in entries if e["focus"] == "集成电路"] == [named_on]
    assert project["stage"] == "district_named"


async def test_a_profile_update_is_in_the_directory_when_it_is_answered(live_api: Api) -> None:
    """Art. 11: the directory publishes the contacts, so a new contact shows at once; the
    decisions table says what changed and the district bureau's message is in the outbox."""
    api = live_api
    named_on = (date.today() - timedelta(days=100)).isoformat()
    body = {**project_body(focus="新材料"), "district_named_on": named_on}
    pid = ok(await api.post("/v1/projects/import", body))["id"]
    contact = {"person": "李四", "phone": "021-11111111", "email": "lisi@example.cn"}
    project = ok(await api.act(pid, "update-profile", {"contact": contact}, "unit"))
    assert project["history"][-1]["event"] == "update-profile"
    entries = ok(await api.get("/v1/directory", None))
    [entry] = [e for e in entries if e["focus"] == "新材料"]
    assert entry["contact"] == contact
    async with api.sessions() as session:
        [outcome] = await session.scalars(
            select(tables.Decision.outcome).where(
                tables.Decision.project_id == pid, tables.Decision.action == "update-profile"
            )
        )
        told = list(
            await session.scalars(
                select(tables.Notification.recipient_role).where(
                    tables.Notification.project_id == pid,
                    tables.Notification.subject.endswith("项目资料已更新"),
                )
            )
        )
    assert outcome == (
        "更新项目资料：联系人由张三（021-00000000，qis@example.cn）"
        "改为李四（021-11111111，lisi@example.cn）"
    )
    assert told == ["district_bureau"]
    # A body that changes nothing named is refused before the process sees it.
    empty = await api.act(pid, "update-profile", {}, "unit")
    assert empty.status_code == 422, empty.text
    assert "至少给出" in empty.text
