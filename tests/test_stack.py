"""End to end: `qis run` as a new user runs it; up, Ctrl-C, and up again on the same data."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sysconfig
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus

from api.examples import PROJECT
from infra.temporal import connect
from stack.postgres import asyncpg_url

QIS = Path(sysconfig.get_path("scripts")) / "qis"
START_WITHIN = 120.0
STOP_WITHIN = 60.0
POLL = 0.2
NAMESPACE = "default"
SEARCH_ATTRIBUTES = {
    "QisDistrict": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "QisStage": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "QisLevel": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "QisProjectType": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "QisCreditCode": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "QisNextDeadline": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    "QisProjectName": IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
}


@dataclass(frozen=True)
class Ports:
    """Free TCP ports for one stack."""

    api: int
    temporal: int
    temporal_ui: int
    worker_metrics: int

    @classmethod
    def free(cls) -> "Ports":
        """Four ports nothing listens on now (held together so they differ)."""
        sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(4)]
        try:
            for s in sockets:
                s.bind(("127.0.0.1", 0))
            api, temporal, ui, metrics = (s.getsockname()[1] for s in sockets)
        finally:
            for s in sockets:
                s.close()
        return cls(api=api, temporal=temporal, temporal_ui=ui, worker_metrics=metrics)


@dataclass(frozen=True)
class RunningStack:
    """Where a `qis run` started by `running_stack` answers."""

    process: Process
    env: dict[str, str]  # the run command's environment, for other `qis` commands on this stack
    data_dir: Path
    output: Path
    client: Client
    temporal_address: str
    temporal_ui: str
    api: str
    worker_metrics: str

    @property
    def database_url(self) -> str:
        """The embedded PostgreSQL's URL, its socket directory read from postmaster.pid."""
        lines = (self.data_dir / "postgres" / "postmaster.pid").read_text().splitlines()
        return asyncpg_url(Path(lines[4].strip()))


@asynccontextmanager
async def running_stack(
    data_dir: Path, ports: Ports, *, stop_with: signal.Signals = signal.SIGINT
) -> AsyncIterator[RunningStack]:
    """`qis run` on `data_dir` once Temporal, its UI and the API answer; stopped cleanly after."""
    # Leaving the block sends `stop_with` and asserts exit code 0 with no Temporal or PostgreSQL
    # process left; whatever happens, nothing started here outlives the block.
    runs = len(list(data_dir.parent.glob("qis-run-*.log")))
    output = data_dir.parent / f"qis-run-{runs + 1}.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "QIS_POLICY_FILE"}
    }
    env |= {
        "QIS_DATA_DIR": str(data_dir),
        "QIS_API_HOST": "127.0.0.1",
        "QIS_API_PORT": str(ports.api),
        "QIS_TEMPORAL_PORT": str(ports.temporal),
        "QIS_TEMPORAL_UI_PORT": str(ports.temporal_ui),
        "QIS_WORKER_METRICS_ADDRESS": f"127.0.0.1:{ports.worker_metrics}",
    }
    with output.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            QIS, "run", env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    try:
        stack = await _until_serving(process, env, data_dir, output, ports)
        yield stack
        code = await _stop(process, stop_with)
        assert code == 0, f"qis run exited with {code} after {stop_with.name}:\n{_tail(output)}"
        left = _processes_using(data_dir)
        assert not left, f"left running after {stop_with.name}: {left}\n{_tail(output)}"
    finally:
        await _kill_all(process, data_dir)


async def _until_serving(
    process: Process, env: dict[str, str], data_dir: Path, output: Path, ports: Ports
) -> RunningStack:
    address = f"127.0.0.1:{ports.temporal}"
    ui = f"http://127.0.0.1:{ports.temporal_ui}"
    api = f"http://127.0.0.1:{ports.api}"
    metrics = f"http://127.0.0.1:{ports.worker_metrics}/metrics"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_WITHIN
    client: Client | None = None
    last = "nothing answered yet"
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            code = process.returncode
            assert code is None, f"qis run exited with {code} while starting:\n{_tail(output)}"
            try:
                client = client or await connect(address, NAMESPACE)
                ui_status = (await http.get(ui)).status_code
                api_status = (await http.get(f"{api}/docs")).status_code
                # The banner tells a person where everything is; it comes once all answer.
                banner = all(
                    where in _tail(output) for where in (address, ui, f"{api}/docs", metrics)
                )
                if ui_status == 200 and api_status == 200 and banner:
                    return RunningStack(
                        process, env, data_dir, output, client, address, ui, api, metrics
                    )
                last = f"UI {ui_status}, API /docs {api_status}, banner printed: {banner}"
            except (RuntimeError, httpx.HTTPError) as err:
                last = repr(err)
            assert loop.time() < deadline, (
                f"not serving within {START_WITHIN}s ({last}):\n{_tail(output)}"
            )
            await asyncio.sleep(POLL)


async def _stop(process: Process, sig: signal.Signals) -> int | None:
    process.send_signal(sig)
    try:
        return await asyncio.wait_for(process.wait(), STOP_WITHIN)
    except TimeoutError:
        return None


def _processes_using(data_dir: Path) -> list[str]:
    """Command lines naming something under `data_dir`: the dev server and PostgreSQL do."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(arg.startswith(str(data_dir)) for arg in args):
            found.append(f"{entry.name}: {' '.join(args)}")
    return found


async def _kill_all(process: Process, data_dir: Path) -> None:
    if process.returncode is None:
        process.kill()
        await process.wait()
    for line in _processes_using(data_dir):
        with suppress(ProcessLookupError):
            os.kill(int(line.split(":", 1)[0]), signal.SIGKILL)


def _tail(output: Path, chars: int = 4000) -> str:
    return output.read_text(errors="replace")[-chars:]


def _plant_crash_leftovers(pgdata: Path, live_pid: int) -> None:
    """What a crash leaves: a postmaster.pid naming a pid since reused, a dead process's handle."""
    lines = [str(live_pid), str(pgdata), "0", "5432", str(pgdata), "", "0 0", "ready"]
    (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")
    gone = subprocess.Popen(["true"])
    gone.wait()
    (pgdata / ".handle_pids.json").write_text(json.dumps([gone.pid]))


async def _qis_search_attributes(client: Client) -> dict[str, int]:
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=NAMESPACE)
    )
    return {k: v for k, v in listed.custom_attributes.items() if k.startswith("Qis")}


async def _sql(database_url: str, query: str) -> list[str]:
    """The first column of `query`'s rows (autocommit)."""
    engine = create_async_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(query))
            return [str(row[0]) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


async def _qis_token(stack: RunningStack, role: str) -> str:
    """A new token from `qis token create` on this stack (its last output line)."""
    process = await asyncio.create_subprocess_exec(
        QIS,
        "token",
        "create",
        "--role",
        role,
        "--label",
        "stack test",
        env=stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode().strip().splitlines()[-1]


async def _register_project(stack: RunningStack, token: str) -> str:
    async with httpx.AsyncClient(base_url=stack.api, timeout=30) as http:
        created = await http.post(
            "/v1/projects", json=PROJECT, headers={"Authorization": f"Bearer {token}"}
        )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _ui_workflows(stack: RunningStack, query: str) -> list[dict[str, Any]]:
    """The workflows the Temporal UI lists for `query`, once the project's attributes are in."""
    url = f"{stack.temporal_ui}/api/v1/namespaces/{NAMESPACE}/workflows"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_WITHIN
    async with httpx.AsyncClient(timeout=30) as http:
        while True:
            listed = await http.get(url, params={"query": query})
            assert listed.status_code == 200, listed.text
            executions: list[dict[str, Any]] = listed.json().get("executions") or []
            if executions or loop.time() > deadline:
                return executions
            await asyncio.sleep(POLL)


async def _worker_metric_names(stack: RunningStack) -> set[str]:
    """The metric names the worker's endpoint serves once a `temporal_` one is among them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_WITHIN
    names: set[str] = set()
    async with httpx.AsyncClient(timeout=5) as http:
        while not any(n.startswith("temporal_") for n in names) and loop.time() < deadline:
            await asyncio.sleep(POLL)
            answer = await http.get(stack.worker_metrics)
            assert answer.status_code == 200, answer.text
            names = {f.name for f in text_string_to_metric_families(answer.text)}
    return names


async def test_run_stops_cleanly_and_resumes_on_the_same_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    ports = Ports.free()

    async with running_stack(data_dir, ports) as stack:
        assert await _qis_search_attributes(stack.client) == SEARCH_ATTRIBUTES
        # Nobody polls this queue, so the workflow stays running across the restart.
        await stack.client.start_workflow("StackProbe", id="stack-probe", task_queue="stack-probe")
        await _sql(stack.database_url, 'CREATE DATABASE "stack_probe"')
        assert await _sql(stack.database_url, "SELECT version_num FROM alembic_version")
        token = await _qis_token(stack, "operator")
        project_id = await _register_project(stack, token)
        # Ops find it in the Temporal UI, filtered on its search attributes.
        listed = await _ui_workflows(stack, "QisDistrict='310115' AND QisStage='building'")
        assert [w["execution"]["workflowId"] for w in listed] == [f"project-{project_id}"]
        fields = listed[0]["searchAttributes"]["indexedFields"]
        assert set(SEARCH_ATTRIBUTES) - {"QisNextDeadline"} <= set(fields)
        assert listed[0]["type"]["name"] == "ProjectLifecycle"
        # The worker's metrics, as `qis worker` serves them: the SDK's, from the one client.
        names = await _worker_metric_names(stack)
        assert {
            "temporal_request",
            "temporal_workflow_task_execution_latency",
            "temporal_activity_execution_latency",
        } <= names, sorted(names)
    temporal_db = data_dir / "temporal.db"
    inode = temporal_db.stat().st_ino

    # An unrelated live process now holds the pid the lock file names.
    bystander = await asyncio.create_subprocess_exec("sleep", "300")
    try:
        _plant_crash_leftovers(data_dir / "postgres", bystander.pid)
        async with running_stack(data_dir, ports, stop_with=signal.SIGTERM) as stack:
            assert temporal_db.stat().st_ino == inode
            assert await _qis_search_attributes(stack.client) == SEARCH_ATTRIBUTES
            probe = await stack.client.get_workflow_handle("stack-probe").describe()
            assert probe.status == WorkflowExecutionStatus.RUNNING
            databases = await _sql(stack.database_url, "SELECT datname FROM pg_database")
            assert "stack_probe" in databases
            # The project's process continues where it was and still takes decisions.
            async with httpx.AsyncClient(base_url=stack.api, timeout=30) as http:
                acted = await http.post(
                    f"/v1/projects/{project_id}/actions/request-acceptance",
                    headers={"Authorization": f"Bearer {token}"},
                    json={},
                )
            assert acted.status_code == 200, acted.text
            assert acted.json()["stage"] == "acceptance"
        assert bystander.returncode is None, "the stack signalled a process that was not its own"
    finally:
        if bystander.returncode is None:
            bystander.kill()
        await bystander.wait()


def test_run_refuses_a_taken_worker_metrics_port_before_starting_anything(
    tmp_path: Path,
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = f"127.0.0.1:{holder.getsockname()[1]}"
        env = {
            **os.environ,
            "QIS_DATA_DIR": str(tmp_path / "var"),
            "QIS_API_PORT": str(Ports.free().api),
            "QIS_WORKER_METRICS_ADDRESS": taken,
        }
        result = subprocess.run(
            [QIS, "run"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 1, result.stderr
    assert f"worker 指标地址 {taken} 无法使用" in result.stderr
    assert "QIS_WORKER_METRICS_ADDRESS" in result.stderr
    assert not (tmp_path / "var").exists()


def test_run_refuses_a_bad_policy_file_before_starting_anything(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('decision_due = "30 days"\n', encoding="utf-8")
    env = {**os.environ, "QIS_DATA_DIR": str(tmp_path / "var"), "QIS_POLICY_FILE": str(policy)}
    result = subprocess.run(
        [QIS, "run"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "decision_due" in result.stderr
    assert "不是有效的ISO-8601期限" in result.stderr
    assert not (tmp_path / "var").exists()
