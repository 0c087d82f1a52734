"""The worker, the API and the sender in one process, as `qis run` serves them."""

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from temporalio.client import Client

from api.app import create_app
from infra.settings import Settings
from sender.config import SenderConfig, SmtpUrlError
from sender.loop import serve as serve_sender
from stack.processes import StackError, eventually
from stack.temporal import DevServer
from worker.main import serve as serve_worker

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """Uvicorn without signal handlers of its own: the run command stops it with the worker."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_api(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as exit_:
        # Uvicorn exits the interpreter when it cannot bind or its lifespan fails.
        config = server.config
        raise StackError(
            f"API 无法启动 / API failed to start on {config.host}:{config.port} (see the log above)"
        ) from exit_


async def serve_worker_and_api(
    client: Client,
    database_url: str,
    settings: Settings,
    *,
    banner: str,
    dev_server: DevServer | None,
) -> None:
    """Run the worker, the API and the sender until cancelled or until one of them (or the dev
    server) fails."""
    server = _Server(
        uvicorn.Config(
            create_app(client=client, database_url=database_url),
            host=settings.qis_api_host,
            port=settings.qis_api_port,
            log_config=None,
        )
    )
    try:
        sender_config = SenderConfig.from_settings(settings)
    except SmtpUrlError as err:
        raise StackError(str(err)) from err
    api = asyncio.create_task(_serve_api(server), name="API")
    worker = asyncio.create_task(
        serve_worker(client, database_url, settings.policy()), name="worker"
    )
    # Cancelled with the worker, the sender first finishes the deliveries it holds.
    sender = asyncio.create_task(serve_sender(database_url, sender_config), name="sender")
    tasks = [api, worker, sender]
    if dev_server is not None:
        tasks.append(asyncio.create_task(dev_server.exited(), name="Temporal dev server"))
    done: set[asyncio.Task[None]] = set()
    try:
        # Uvicorn offers a flag, not an event, for "listening".
        await eventually(
            lambda: server.started or any(t.done() for t in tasks), within=float("inf")
        )
        if server.started:
            print(banner, flush=True)
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
            raise StackError(f"{task.get_name()} 意外停止 / stopped unexpectedly")
    finally:
        server.should_exit = True
        for task in tasks[1:]:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for task, result in zip(tasks, results, strict=True):
            if task not in done and isinstance(result, Exception):
                log.error("%s stopped with an error", task.get_name(), exc_info=result)
