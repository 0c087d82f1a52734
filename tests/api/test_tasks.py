"""The tasks inbox: earliest due first, overdue marked, escalations shown to the supervisor."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from temporalio.testing import WorkflowEnvironment

from db import open_tasks, tables
from domain.durations import local_date
from domain.periods import previous_period
from tests.api.helpers import Api, project_body
from tests.helpers import eventually
from workflows import report_workflow_id
from workflows.district_report import DistrictReport, DistrictReportInput


async def test_inbox_order_overdue_and_escalation(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    first = (await api.register(focus="生物医药"))["id"]
    second = (await api.register(focus="集成电路"))["id"]
    await api.decide(first, "request-acceptance", None, "unit")
    await workflow_env.sleep(timedelta(days=5))
    await api.decide(second, "request-acceptance", None, "unit")
    await api.settled(first)
    await api.settled(second)

    inbox = (await api.get("/v1/tasks", "district")).json()
    assert [t["project_id"] for t in inbox] == [first, second]
    assert [t["overdue"] for t in inbox] == [False, False]
    assert inbox[0]["due_at"] < inbox[1]["due_at"]
    assert (await api.get("/v1/tasks", "municipal")).json() == []
    assert (await api.get("/v1/tasks", "other_district")).json() == []
    assert len((await api.get("/v1/tasks", "operator")).json()) == 2

    # The first decision's due date passes (24:00 of its 30th day, or the working day a weekend
    # or holiday moves it to): escalated to the municipal bureau, still waiting.
    due = datetime.fromisoformat(inbox[0]["due_at"])
    now = await workflow_env.get_current_time()
    await workflow_env.sleep(due - now + timedelta(minutes=1))

    async def inbox_of(who: str) -> list[dict[str, object]]:
        tasks: list[dict[str, object]] = (await api.get("/v1/tasks", who)).json()
        return tasks

    inbox = await eventually(lambda: inbox_of("district"), lambda ts: bool(ts[0]["escalated"]))
    assert [(t["project_id"], t["overdue"]) for t in inbox] == [(first, True), (second, False)]
    [supervised] = await inbox_of("municipal")
    assert (supervised["project_id"], supervised["supervising"], supervised["overdue"]) == (
        first,
        True,
        True,
    )
    assert supervised["waiting_for"] == "district_bureau"
    project = await api.project(first, "district")
    assert project["pending_decisions"][0]["overdue"] is True
    assert project["allowed_actions"] == ["decide-acceptance", "report-violation"]


async def test_the_inbox_pages_in_the_same_order_with_the_total_in_a_header(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    ids = []
    for focus in ("生物医药", "集成电路", "人工智能"):
        pid = (await api.register(focus=focus))["id"]
        await api.decide(pid, "request-acceptance", None, "unit")
        ids.append(pid)
    # And a district report owed for a period long over: due first, from its own table.
    now = await workflow_env.get_current_time()
    period = previous_period(previous_period(now).start - timedelta(microseconds=1))
    await api.client.start_workflow(
        DistrictReport.run,
        DistrictReportInput(district="310115", period=period.label),
        id=report_workflow_id("310115", period.label),
        task_queue=api.task_queue,
    )
    # Settled: the report, long overdue, is escalated by its process right after it opens, and
    # the pages below must read the inbox as it then stays.
    whole = await eventually(
        lambda: api.get("/v1/tasks", "district"),
        lambda r: r.headers["X-Total-Count"] == "4" and r.json()[0]["escalated"],
    )
    everything = [t["project_id"] for t in whole.json()]
    assert everything[0] is None  # the report
    assert sorted(everything[1:]) == sorted(ids)
    assert [t["due_at"] for t in whole.json()] == sorted(t["due_at"] for t in whole.json())
    first = await api.get("/v1/tasks", "district", {"limit": "3"})
    rest = await api.get("/v1/tasks", "district", {"limit": "3", "offset": "3"})
    assert [t["project_id"] for t in first.json() + rest.json()] == everything
    assert first.json() + rest.json() == whole.json()
    assert (len(first.json()), first.headers["X-Total-Count"]) == (3, "4")
    assert (len(rest.json()), rest.headers["X-Total-Count"]) == (1, "4")
    past = await api.get("/v1/tasks", "district", {"limit": "2", "offset": "9"})
    assert (past.json(), past.headers["X-Total-Count"]) == ([], "4")
    for params, field in (({"limit": "0"}, "limit"), ({"offset": "-1"}, "offset")):
        refused = await api.get("/v1/tasks", "district", params)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == field
    await api.post(f"/v1/districts/310115/reports/{period.label}/submit", None, "district")


async def test_a_units_late_data_is_chased_by_its_district_bureau_not_the_city(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    now = await workflow_env.get_current_time()
    named = (local_date(now) - timedelta(days=400)).isoformat()
    body = project_body(district_named_on=named)
    imported = await api.post("/v1/projects/import", body)
    assert imported.status_code == 201, imported.text
    pid = imported.json()["id"]

    async def data_tasks(who: str) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = (await api.get("/v1/tasks", who)).json()
        return [t for t in tasks if t["kind"] == "data_submission" and t["project_id"] == pid]

    # The period ends, the unit owes its figures; a month (and a legal deadline) later, late.
    period_end = previous_period(now + timedelta(days=370)).end
    await workflow_env.sleep(period_end - now + timedelta(days=45))
    [chased] = await eventually(
        lambda: data_tasks("district"), lambda ts: len(ts) == 1 and ts[0]["escalated"]
    )
    assert (chased["waiting_for"], chased["supervising"], chased["overdue"]) == (
        "unit",
        True,
        True,
    )
    [owed] = await data_tasks("unit")
    assert (owed["supervising"], owed["period"]) == (False, chased["period"])
    assert await data_tasks("municipal") == []
    assert await data_tasks("other_district") == []


async def test_a_rectification_report_waits_in_its_units_inbox_alone(api: Api) -> None:
    """The report a unit owes in its rectification period (Art. 9.3): the unit's entry, in due
    order after its project's own tasks; not a bureau's or the operator's."""
    project = (await api.register())["id"]
    await api.settled(project)
    deadline = datetime(2027, 6, 1, 16, 0, tzinfo=UTC)
    async with api.sessions.begin() as session:
        await session.execute(
            update(tables.Project)
            .where(tables.Project.id == project)
            .values(
                stage="rectification",
                tasks=[],
                rectification_deadline=deadline,
                rectification_reported=False,
            )
        )
        await open_tasks.refresh(session, project)  # as the step's transaction does

    [owed] = (await api.get("/v1/tasks", "unit")).json()
    assert (owed["project_id"], owed["kind"], owed["action"], owed["label"]) == (
        project,
        "rectification_report",
        "report-rectification",
        "提交整改报告",
    )
    assert datetime.fromisoformat(owed["due_at"]) == deadline
    for who in ("district", "municipal", "operator"):
        assert (await api.get("/v1/tasks", who)).json() == [], who

    async with api.sessions.begin() as session:
        await session.execute(
            update(tables.Project)
            .where(tables.Project.id == project)
            .values(rectification_reported=True)
        )
        await open_tasks.refresh(session, project)
    assert (await api.get("/v1/tasks", "unit")).json() == []
