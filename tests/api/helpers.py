"""Helpers for the API tests: callers and their tokens, bodies, and probes of what changed."""

import contextlib
import copy
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError

from api.services.tokens import create_token
from db import tables
from domain.actors import Role
from domain.credit_code import check_character
from tests.helpers import CREDIT_CODE, DISTRICT, eventually, make_spec, settle
from workflows import workflow_id

OTHER_CREDIT_CODE = "91310000MA1FL0000" + check_character("91310000MA1FL0000")
OTHER_DISTRICT = "310104"

# Every kind of caller the matrix tries, with the token each one holds.
CALLERS: dict[str, tuple[Role, str | None, str | None]] = {
    "operator": (Role.OPERATOR, None, None),
    "unit": (Role.UNIT, None, CREDIT_CODE),
    "district": (Role.DISTRICT_BUREAU, DISTRICT, None),
    "municipal": (Role.MUNICIPAL_BUREAU, None, None),
    "other_district": (Role.DISTRICT_BUREAU, OTHER_DISTRICT, None),
    "other_unit": (Role.UNIT, None, OTHER_CREDIT_CODE),
}

# The docs/api-guide.md project body, as a client sends it.
PROJECT: dict[str, Any] = make_spec().model_dump(mode="json")

ALL_CONDITIONS = {
    "governance": True,
    "steady_service": True,
    "leading_capability": True,
    "replicable_practice": True,
}
GOOD_SCORES = {"operation": 85, "capability": 88, "effectiveness": 90}
POOR_SCORES = {"operation": 55, "capability": 60, "effectiveness": 40}

WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


def project_body(**overrides: Any) -> dict[str, Any]:
    """The docs/api-guide.md project body, top-level fields replaced by `overrides`."""
    return {**copy.deepcopy(PROJECT), **overrides}


async def make_tokens(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """One live token per caller of CALLERS."""
    tokens = {}
    async with sessions.begin() as session:
        for name, (role, district, credit_code) in CALLERS.items():
            _, token = await create_token(
                session, role=role, district=district, credit_code=credit_code, label=name
            )
            tokens[name] = token
    return tokens


@dataclass
class Api:
    """The app under test with a token for each caller."""

    http: httpx.AsyncClient
    client: Client
    sessions: async_sessionmaker[AsyncSession]
    tokens: dict[str, str]
    database_url: str = ""
    task_queue: str = ""

    def auth(self, who: str | None) -> dict[str, str]:
        return {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}

    async def post(
        self,
        path: str,
        body: Any = None,
        who: str | None = "operator",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.http.post(path, json=body, headers={**self.auth(who), **(headers or {})})

    async def get(
        self, path: str, who: str | None = "operator", params: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.get(path, headers=self.auth(who), params=params)

    async def register(self, who: str = "operator", **overrides: Any) -> dict[str, Any]:
        response = await self.post("/v1/projects", project_body(**overrides), who)
        assert response.status_code == 201, response.text
        project: dict[str, Any] = response.json()
        return project

    async def act(
        self,
        project_id: str,
        action: str,
        body: dict[str, Any] | None = None,
        who: str | None = "operator",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.post(f"/v1/projects/{project_id}/actions/{action}", body, who, headers)

    async def decide(
        self, project_id: str, action: str, body: dict[str, Any] | None, who: str
    ) -> dict[str, Any]:
        response = await self.act(project_id, action, body, who)
        assert response.status_code == 200, response.text
        project: dict[str, Any] = response.json()
        return project

    async def project(self, project_id: str, who: str = "operator") -> dict[str, Any]:
        response = await self.get(f"/v1/projects/{project_id}", who)
        assert response.status_code == 200, response.text
        project: dict[str, Any] = response.json()
        return project

    async def directory(self) -> list[dict[str, Any]]:
        response = await self.http.get("/v1/directory")
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries

    async def settled(self, project_id: str) -> dict[str, Any]:
        """The project once the read model has caught up with the workflow's state."""
        project = await self.project(project_id)
        seq = project["history"][-1]["seq"]

        async def synced() -> int:
            async with self.sessions() as session:
                value = await session.scalar(
                    select(tables.Project.state_seq).where(tables.Project.id == project_id)
                )
                return value or 0

        await eventually(synced, lambda s: s >= seq)
        return project

    async def snapshot(self, project_id: str) -> dict[str, Any]:
        """What a refused request must leave unchanged: state, history, database rows."""
        # Read only once the process has stayed idle: a drain still under way would add
        # events (and rows) between this snapshot and the next.
        await settle(self.client, workflow_id(project_id))
        project = await self.settled(project_id)
        history = await settle(self.client, workflow_id(project_id))
        # The time-skipping test server records a workflow task for an update its validator
        # rejects (a real server does not); every other event must stay as it was.
        events = [e.event_type for e in history.events if e.event_type not in WORKFLOW_TASK_EVENTS]
        counts = {}
        async with self.sessions() as session:
            for table in (tables.Decision, tables.Name, tables.Notification):
                counts[table.__tablename__] = await session.scalar(
                    select(func.count()).select_from(table).where(table.project_id == project_id)
                )
            counts["name_endings"] = await session.scalar(
                select(func.count())
                .select_from(tables.NameEnding)
                .join(tables.Name, tables.Name.key == tables.NameEnding.name_key)
                .where(tables.Name.project_id == project_id)
            )
            row = await session.get(tables.Project, project_id)
            assert row is not None
            read_model = (row.stage, row.level, row.state_seq, row.next_deadline)
        del project["pending_decisions"]  # `overdue` follows the wall clock
        return {"project": project, "events": events, "rows": counts, "read_model": read_model}


async def stop_processes(
    client: Client, sessions: async_sessionmaker[AsyncSession], *, within: float = 5.0
) -> None:
    """Terminate every process this test started (once idle, when its worker runs).

    The time-skipping server has one clock for the whole session: a process left with work in
    flight would hold up the time skips of later tests.
    """
    async with sessions() as session:
        ids = list(await session.scalars(select(tables.Project.id)))
    for project_id in ids:
        with contextlib.suppress(AssertionError, RPCError):
            await settle(client, workflow_id(project_id), within=within)
        with contextlib.suppress(RPCError):
            await client.get_workflow_handle(workflow_id(project_id)).terminate("test finished")
