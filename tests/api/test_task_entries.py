"""The inbox's entries, written as JSON by PostgreSQL (api.services.tasks), are the TaskRead
that Python builds from the same task: every field, in TaskRead's order, for each caller."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.schemas import TaskRead
from api.services.tasks import list_tasks
from api.services.tokens import Caller
from db import open_tasks, tables
from db.read_model import project_row
from domain.actions import TaskKind
from domain.actors import Role
from domain.decisions import Action
from domain.districts import district_name
from domain.lifecycle import new_state
from domain.policy import Policy
from domain.state import Task, deadline_day
from tests.helpers import CREDIT_CODE, DISTRICT, make_spec

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
# 24:00 of 2026-12-01 in Shanghai: a legal deadline's last day is the 1st, not the 2nd.
MIDNIGHT = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)

CALLERS = {
    "operator": Caller("t1", Role.OPERATOR, None, None, "运营"),
    "unit": Caller("t2", Role.UNIT, None, CREDIT_CODE, "单位"),
    "district": Caller("t3", Role.DISTRICT_BUREAU, DISTRICT, None, "区局"),
    "municipal": Caller("t4", Role.MUNICIPAL_BUREAU, None, None, "市局"),
}


def task(kind: TaskKind, role: Role, due_at: datetime, **more: Any) -> Task:
    return Task(kind=kind, action=kind.action, role=role, opened_at=NOW, due_at=due_at, **more)


TASKS: dict[str, list[dict[str, Any]]] = {
    # Waiting for the district bureau, not yet due.
    "p-acceptance": [
        task(TaskKind.ACCEPTANCE, Role.DISTRICT_BUREAU, NOW + timedelta(days=9)).model_dump(
            mode="json"
        )
    ],
    # A unit's data, overdue and escalated, with its period and a legal deadline's rule.
    "p-data": [
        task(
            TaskKind.DATA_SUBMISSION,
            Role.UNIT,
            MIDNIGHT - timedelta(days=3),
            escalated=True,
            period="2026",
            due_rule="法定节假日顺延（国庆节）",
        ).model_dump(mode="json")
    ],
    # The municipal bureau's own evaluation (due at a legal midnight) and an overdue district
    # decision escalated to it; the second as an earlier release stored it (no rule, no period,
    # no escalated: their defaults).
    "p-two": [
        task(
            TaskKind.MUNICIPAL_EVALUATION, Role.MUNICIPAL_BUREAU, MIDNIGHT, due_rule="按期届满"
        ).model_dump(mode="json"),
        {
            k: v
            for k, v in task(
                TaskKind.DISTRICT_EVALUATION,
                Role.DISTRICT_BUREAU,
                NOW - timedelta(hours=1, microseconds=250),
            )
            .model_dump(mode="json")
            .items()
            if k not in ("due_rule", "period", "escalated")
        },
    ],
}
# A rectification report owed, its deadline with microseconds.
RECTIFICATION_DEADLINE = datetime(2027, 5, 31, 16, 0, 0, 125000, tzinfo=UTC)


async def seed(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """The projects' rows and their inbox rows, as the store writes them; their names."""
    names = {}
    async with sessions.begin() as session:
        for n, (pid, tasks) in enumerate([*TASKS.items(), ("p-rectification", [])]):
            state, _ = new_state(pid, make_spec(focus=f"方向{n}"), Policy(), NOW)
            row = project_row(state).model_dump() | {"tasks": tasks}
            if pid == "p-rectification":
                row |= {"stage": "rectification", "rectification_deadline": RECTIFICATION_DEADLINE}
            await session.execute(insert(tables.Project).values(row))
            await open_tasks.refresh(session, pid)
            names[pid] = state.display_name
    return names


def python_entry(pid: str, name: str, position: int, caller: Caller, now: datetime) -> TaskRead:
    """The entry as Python built it before PostgreSQL wrote it."""
    if pid == "p-rectification":
        return TaskRead(
            project_id=pid,
            project_name=name,
            district=DISTRICT,
            district_name=district_name(DISTRICT),
            kind="rectification_report",
            label="提交整改报告",
            action=Action.REPORT_RECTIFICATION,
            waiting_for=Role.UNIT,
            waiting_for_label=Role.UNIT.label,
            due_at=RECTIFICATION_DEADLINE,
            overdue=now >= RECTIFICATION_DEADLINE,
            escalated=False,
            supervising=False,
        )
    one = Task.model_validate(TASKS[pid][position - 1])
    supervising = (caller.role is Role.DISTRICT_BUREAU and one.role is Role.UNIT) or (
        caller.role is Role.MUNICIPAL_BUREAU and one.role is not Role.MUNICIPAL_BUREAU
    )
    return TaskRead(
        project_id=pid,
        project_name=name,
        district=DISTRICT,
        district_name=district_name(DISTRICT),
        kind=one.kind.value,
        label=f"{one.kind.label}：{one.period}" if one.period else one.kind.label,
        action=one.action,
        period=one.period,
        waiting_for=one.role,
        waiting_for_label=one.role.label,
        opened_at=one.opened_at,
        due_at=one.due_at,
        due_on=deadline_day(one.due_at, one.due_rule),
        due_rule=one.due_rule,
        overdue=one.escalated or one.due_at <= now,
        escalated=one.escalated,
        supervising=supervising,
    )


# Who sees what, in due order: (project, place in its list).
EXPECTED = {
    "operator": [("p-data", 1), ("p-two", 2), ("p-two", 1), ("p-acceptance", 1)],
    "unit": [("p-data", 1), ("p-rectification", 1 << 30)],
    "district": [("p-data", 1), ("p-two", 2), ("p-acceptance", 1)],
    "municipal": [("p-two", 1)],
}


async def test_each_entry_is_the_taskread_python_builds_for_each_caller(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    names = await seed(session_factory)
    for who, caller in CALLERS.items():
        async with session_factory() as session:
            page = await list_tasks(session=session, caller=caller)
        entries = json.loads(page.body)
        now = datetime.now(UTC)
        expected = [python_entry(pid, names[pid], pos, caller, now) for pid, pos in EXPECTED[who]]
        assert [(e["project_id"], e["kind"]) for e in entries] == [
            (e.project_id, e.kind) for e in expected
        ], who
        for entry, python in zip(entries, expected, strict=True):
            assert list(entry) == list(TaskRead.model_fields), who
            assert entry == python.model_dump(mode="json"), (who, entry["project_id"])
        assert page.items() == expected
        assert page.total == len(expected)
