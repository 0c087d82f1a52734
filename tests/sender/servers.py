"""Real receivers for the sender's tests: an SMTP server (aiosmtpd) and an HTTP webhook endpoint."""

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, cast

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.helpers import eventually


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailHandler:
    """Keeps every message it accepts. Held, it answers no DATA until released, then 451."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.accept_limit: int | None = None  # hold every message after this many
        self.held = 0
        self._release = threading.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.accept_limit is not None and len(self.messages) >= self.accept_limit:
            self.held += 1
            await asyncio.to_thread(self._release.wait)
            return "451 4.3.0 not accepted, try again later"
        content = cast(bytes, envelope.content)
        message = email.message_from_bytes(content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"

    def release(self) -> None:
        """Let held messages go (unaccepted) and accept everything from now on."""
        self.accept_limit = None
        self._release.set()

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


class MailServer:
    """An aiosmtpd server on 127.0.0.1 that can go down and come back on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = MailHandler()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages


@dataclass
class Hook:
    """One request the webhook endpoint received."""

    headers: dict[str, str]
    body: bytes


@dataclass
class HookServer:
    """A webhook endpoint: keeps each request, answers `status`."""

    url: str = ""
    status: int = 200
    requests: list[Hook] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append(Hook(headers, body))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok" if self.status < 300 else b"no"})


@asynccontextmanager
async def hook_server() -> AsyncIterator[HookServer]:
    """The webhook endpoint on a loopback port for the block."""
    hooks = HookServer()
    server = uvicorn.Server(
        uvicorn.Config(hooks, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    try:

        async def started() -> bool:
            return server.started

        await eventually(started, bool)
        port = server.servers[0].sockets[0].getsockname()[1]
        hooks.url = f"http://127.0.0.1:{port}/hooks/qis"
        yield hooks
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
