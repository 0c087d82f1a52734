"""Receivers for the sender: a real SMTP server and a real webhook endpoint, per test."""

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.sender.servers import HookServer, MailServer, hook_server


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.handler.release()
    server.stop()


@pytest.fixture
async def hooks() -> AsyncIterator[HookServer]:
    async with hook_server() as server:
        yield server
