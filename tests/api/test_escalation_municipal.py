"""A decision of the municipal bureau that goes overdue is escalated to its own inbox (督办).

The municipal bureau has no supervising bureau here: its overdue decision goes to its own
supervision office, the same inbox (domain/timers.py). End to end: workflow state, outbox and
GET /v1/tasks.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from db import tables
from domain.durations import local_date
from domain.state import TaskKind
from tests.api.helpers import ALL_CONDITIONS, Api, project_body
from tests.helpers import eventually, settle
from workflows import workflow_id
from workflows.lifecycle import ProjectLifecycle

NAME = "浦东新区生物医药质量基础设施“一站式”服务项目"


async def outbox(api: Api, project_id: str) -> list[tuple[str, str]]:
    async with api.sessions() as session:
        rows = await session.execute(
            select(tables.Notification.recipient, tables.Notification.subject)
            .where(
                tables.Notification.project_id == project_id,
                tables.Notification.subject.contains("市级命名评估"),
            )
            .order_by(tables.Notification.id)
        )
        return [(recipient, subject) for recipient, subject in rows]


async def test_overdue_municipal_evaluation_is_escalated_to_its_own_inbox(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    today = local_date(await workflow_env.get_current_time())
    named_on = (today - timedelta(days=10)).isoformat()
    response = await api.post("/v1/projects/import", project_body(district_named_on=named_on))
    assert response.status_code == 201, response.text
    pid = response.json()["id"]
    await api.decide(pid, "apply-municipal", {"conditions": ALL_CONDITIONS}, "unit")
    project = await api.decide(pid, "recommend-municipal", {"recommend": True}, "district")
    assert project["stage"] == "municipal_evaluation"
    [pending] = project["pending_decisions"]
    assert (pending["waiting_for"], pending["overdue"], pending["escalated"]) == (
        "municipal_bureau",
        False,
        False,
    )

    # Past the reminder (7 days before), then past the due date (24:00 of its last day, which
    # a weekend or holiday may move), letting each land.
    due = datetime.fromisoformat(pending["due_at"])
    assert pending["due_rule"]
    for moment in (due - timedelta(days=7), due):
        await settle(api.client, workflow_id(pid))
        now = await workflow_env.get_current_time()
        await workflow_env.sleep(moment - now + timedelta(minutes=1))
    await settle(api.client, workflow_id(pid))

    handle = api.client.get_workflow_handle_for(ProjectLifecycle.run, workflow_id(pid))
    state = await handle.query(ProjectLifecycle.state)
    task = state.task(TaskKind.MUNICIPAL_EVALUATION)
    assert task is not None
    assert (task.reminded, task.escalated) == (True, True)
    # Its own events: other timers of the project (a data period that ends the same night, when
    # the due date falls at the end of a year) may land beside them.
    evaluation = [e for e in state.history if e.event.endswith(":municipal_evaluation")]
    assert [(e.event, e.summary) for e in evaluation[-2:]] == [
        ("reminder:municipal_evaluation", f"提醒：市级命名评估将于{pending['due_on']}到期"),
        ("escalation:municipal_evaluation", "督办：市级命名评估已逾期，报市市场监管局"),
    ]
    assert await eventually(lambda: outbox(api, pid), lambda rows: len(rows) >= 2) == [
        ("municipal_bureau", f"【{NAME}】市级命名评估即将到期"),
        ("municipal_bureau", f"【{NAME}】督办：市级命名评估已逾期"),
    ]

    await api.settled(pid)
    inbox = (await api.get("/v1/tasks", "municipal")).json()
    assert [
        (t["project_id"], t["action"], t["waiting_for"], t["overdue"], t["escalated"])
        for t in inbox
    ] == [(pid, "evaluate-municipal", "municipal_bureau", True, True)]
    # Its own decision, not another bureau's under its supervision.
    assert inbox[0]["supervising"] is False
    assert (await api.get("/v1/tasks", "district")).json() == []
    project = await api.project(pid, "municipal")
    assert project["pending_decisions"][0]["escalated"] is True
    assert project["allowed_actions"] == [
        "evaluate-municipal",
        "report-violation",
        "select-typical-case",
    ]
