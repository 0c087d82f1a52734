"""Console sessions: opened with a token, kept server-side, tied to that token.

The cookie holds a random session id; the database keeps only its SHA-256 hash, the token it
was opened with and the session's CSRF secret. A session ends on sign-out, after the idle time
(`QIS_CONSOLE_IDLE_MINUTES`), or when its token is revoked (docs/console.md).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.tokens import Caller, caller_of
from db import tables
from infra.settings import get_settings

COOKIE = "qis_console"
MAX_COOKIE_LENGTH = 100
# Writing `last_seen_at` on every request would make each page view a write; a minute's
# precision is plenty for an idle time counted in minutes.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """A live session: who is signed in and the secret every form of theirs carries."""

    caller: Caller
    csrf: str


def idle_limit() -> timedelta:
    """How long a session lasts without a request (setting QIS_CONSOLE_IDLE_MINUTES)."""
    return timedelta(minutes=get_settings().qis_console_idle_minutes)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


async def open_session(
    session: AsyncSession, caller: Caller, *, now: datetime | None = None
) -> tuple[str, SignedIn]:
    """Store a new session for the caller's token; (the cookie's value, the session)."""
    now = now or datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        tables.ConsoleSession(
            id_hash=_hash(session_id),
            token_id=caller.token_id,
            csrf=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    await session.commit()
    return session_id, SignedIn(caller=caller, csrf=csrf)


async def resume_session(
    session: AsyncSession,
    session_id: str | None,
    *,
    idle: timedelta,
    now: datetime | None = None,
) -> SignedIn | None:
    """The live session of a cookie; None (and the row gone) when idle too long or revoked."""
    if not session_id or len(session_id) > MAX_COOKIE_LENGTH:
        return None
    now = now or datetime.now(UTC)
    id_hash = _hash(session_id)
    row = await session.execute(
        select(tables.ConsoleSession, tables.Token)
        .join(tables.Token, tables.Token.id == tables.ConsoleSession.token_id)
        .where(tables.ConsoleSession.id_hash == id_hash)
    )
    found = row.first()
    if found is None:
        return None
    stored, token = found
    if token.revoked_at is not None or stored.last_seen_at + idle <= now:
        await session.execute(
            delete(tables.ConsoleSession).where(tables.ConsoleSession.id_hash == id_hash)
        )
        await session.commit()
        return None
    if now - stored.last_seen_at >= TOUCH_EVERY:
        stored.last_seen_at = now
        await session.commit()
    return SignedIn(caller=caller_of(token), csrf=stored.csrf)


async def close_session(session: AsyncSession, session_id: str | None) -> None:
    """End a session (sign-out); nothing happens for an unknown one."""
    if session_id and len(session_id) <= MAX_COOKIE_LENGTH:
        await session.execute(
            delete(tables.ConsoleSession).where(tables.ConsoleSession.id_hash == _hash(session_id))
        )
        await session.commit()
