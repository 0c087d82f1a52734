"""A worker alone in its process, as a deployment runs it: benchmarks.compare reads its resident
memory, and runs the throughput measures against it.

`python -m benchmarks.worker_rss qis|bare TEMPORAL_ADDRESS DATABASE_URL TASK_QUEUE` prints
`ready` once polling, and runs until its standard input closes.
"""

import asyncio
import sys

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from benchmarks.bare import BareActivities, BareProcess
from db.engine import make_engine, make_session_factory
from worker.main import build_worker


async def main(kind: str, address: str, url: str, task_queue: str) -> None:
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    engine = make_engine(url)
    if kind == "qis":
        worker = build_worker(client, make_session_factory(engine), task_queue=task_queue)
    else:
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[BareProcess],
            activities=[BareActivities(engine).write_step],
        )
    try:
        async with worker:
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
