"""The bare-SDK yardstick of benchmarks.compare: a tiny workflow with one activity.

`BareProcess` does what a lifecycle does at its least: its first step writes one row in one
transaction (the activity), then it stays open; an update writes one more step and answers once
it is written. It lives in a module of its own with almost no imports because the workflow
sandbox re-imports a workflow's module for every run: defined inside benchmarks.compare (which
imports the API) it would be charged for FastAPI and httpx, and the comparison would flatter QIS.
"""

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncEngine

TABLE = "bench_bare_steps"
CREATE_TABLE = f"CREATE TABLE IF NOT EXISTS {TABLE} (id text PRIMARY KEY, seq integer NOT NULL)"
_UPSERT = text(
    f"INSERT INTO {TABLE} (id, seq) VALUES (:id, :seq) "
    f"ON CONFLICT (id) DO UPDATE SET seq = GREATEST({TABLE}.seq, excluded.seq)"
)


@dataclass
class BareStep:
    process_id: str
    seq: int


class BareActivities:
    """The one activity: a step's row, written in one idempotent transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @activity.defn(name="bare_write_step")
    async def write_step(self, step: BareStep) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(_UPSERT, {"id": step.process_id, "seq": step.seq})


@workflow.defn(name="BareProcess")
class BareProcess:
    """Write the first step, then wait; each `decide` writes a step and returns its number."""

    def __init__(self) -> None:
        self._id = ""
        self._seq = 0
        self._done = False

    @workflow.run
    async def run(self, process_id: str) -> int:
        self._id = process_id
        await self._step()
        await workflow.wait_condition(lambda: self._done)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._seq

    @workflow.update
    async def decide(self, note: str) -> int:
        return await self._step()

    @workflow.signal
    def finish(self) -> None:
        self._done = True

    async def _step(self) -> int:
        self._seq += 1
        seq = self._seq
        await workflow.execute_activity_method(
            BareActivities.write_step,
            BareStep(process_id=self._id, seq=seq),
            start_to_close_timeout=timedelta(seconds=30),
        )
        return seq
