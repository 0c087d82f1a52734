"""Waking idle senders: PostgreSQL LISTEN/NOTIFY, relayed to the tasks that wait in-process."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from sender import WAKE_CHANNEL

log = logging.getLogger(__name__)


class Wakeup:
    """Wakes every waiting task. Take a ticket before looking for work, then wait on it: a wake
    that comes between the look and the wait is not lost."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ticket(self) -> asyncio.Event:
        """The event the next wake sets."""
        return self._event

    def wake(self) -> None:
        """Wake everyone holding a ticket."""
        self._event.set()
        self._event = asyncio.Event()

    @staticmethod
    async def wait(ticket: asyncio.Event, seconds: float) -> bool:
        """Wait for the wake (True) or for `seconds` (False)."""
        try:
            await asyncio.wait_for(ticket.wait(), max(seconds, 0.0))
        except TimeoutError:
            return False
        return True


@asynccontextmanager
async def listening(engine: AsyncEngine, on_notify: Callable[[str], None]) -> AsyncIterator[None]:
    """LISTEN on the outbox channel for the block; `on_notify` gets each payload."""

    def callback(connection: Any, pid: int, channel: str, payload: str) -> None:
        on_notify(payload)

    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection  # asyncpg's connection (untyped)
        await driver.add_listener(WAKE_CHANNEL, callback)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await driver.remove_listener(WAKE_CHANNEL, callback)
