"""API tokens: create, authenticate, revoke, list. Only a SHA-256 hash of a token is stored."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from domain.actors import Actor, Role
from domain.credit_code import shanghai_problem
from domain.districts import DISTRICTS, district_name, is_district

# Built once: every authenticated request runs it.
_BY_HASH = select(tables.Token).where(tables.Token.token_hash == bindparam("digest"))
# A token is 43 URL-safe characters; anything much longer is not ours and is not hashed.
MAX_TOKEN_LENGTH = 200
MAX_LABEL_LENGTH = 200


class TokenError(ValueError):
    """A token request that cannot be met, with a Chinese message saying what to change."""


@dataclass(frozen=True)
class Caller:
    """Who is calling, as their token says: role and the scope it carries."""

    token_id: str
    role: Role
    district: str | None
    credit_code: str | None
    label: str

    def actor(self) -> Actor:
        """The Actor the workflow records for this caller's decisions."""
        return Actor(
            role=self.role,
            district=self.district,
            credit_code=self.credit_code,
            label=self.label or f"凭证{self.token_id[:8]}",
        )

    def describe(self) -> str:
        """The caller in Chinese, e.g. “区市场监管局（浦东新区）”."""
        if self.role is Role.DISTRICT_BUREAU and self.district:
            return f"{self.role.label}（{district_name(self.district)}）"
        if self.role is Role.UNIT and self.credit_code:
            return f"{self.role.label}（{self.credit_code}）"
        return self.role.label


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def caller_of(row: tables.Token) -> Caller:
    """The Caller a stored token stands for."""
    return Caller(
        token_id=row.id,
        role=Role(row.role),
        district=row.district,
        credit_code=row.credit_code,
        label=row.label,
    )


def check_scope(role: Role, district: str | None, credit_code: str | None) -> None:
    """TokenError unless the role has exactly the scope it needs (district or credit code)."""
    if role is Role.DISTRICT_BUREAU:
        if not district:
            raise TokenError("区市场监管局的凭证必须指定 --district（区代码，如 310115）")
        if not is_district(district):
            raise TokenError(
                f"未知的区代码“{district}”，应为上海市16个区之一："
                + "、".join(f"{code}{name}" for code, name in DISTRICTS.items())
            )
    elif district:
        raise TokenError(f"{role.label}的凭证不需要 --district，只有区市场监管局按区授权")
    if role is Role.UNIT:
        if not credit_code:
            raise TokenError("实施单位的凭证必须指定 --credit-code（18位统一社会信用代码）")
        problem = shanghai_problem(credit_code)
        if problem:
            raise TokenError(problem)
    elif credit_code:
        raise TokenError(f"{role.label}的凭证不需要 --credit-code，只有实施单位按单位授权")


async def create_token(
    session: AsyncSession,
    *,
    role: Role,
    district: str | None = None,
    credit_code: str | None = None,
    label: str = "",
    now: datetime | None = None,
) -> tuple[tables.Token, str]:
    """Store a new token's hash and return the row with the token (shown once, never stored)."""
    label = label.strip()
    check_scope(role, district, credit_code)
    if len(label) > MAX_LABEL_LENGTH:
        raise TokenError(f"标签不能超过{MAX_LABEL_LENGTH}个字符")
    token = secrets.token_urlsafe(32)
    row = tables.Token(
        id=uuid.uuid4().hex,
        token_hash=hash_token(token),
        role=role.value,
        district=district,
        credit_code=credit_code,
        label=label,
        created_at=now or datetime.now(UTC),
        revoked_at=None,
    )
    session.add(row)
    await session.flush()
    return row, token


async def authenticate(session: AsyncSession, token: str) -> Caller | None:
    """The caller a live token belongs to, or None for an unknown or revoked one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    row = await session.scalar(_BY_HASH, {"digest": digest})
    # The lookup is by hash (a token cannot be guessed from timings of its hash); the final
    # comparison is constant-time all the same.
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked_at:
        return None
    return caller_of(row)


async def find_token(session: AsyncSession, ident: str) -> tables.Token:
    """The token named by its id, a unique prefix of its id (4+ characters), or the token itself."""
    ident = ident.strip()
    row = await session.scalar(
        select(tables.Token).where(tables.Token.token_hash == hash_token(ident))
    )
    if row is not None:
        return row
    if len(ident) < 4 or len(ident) > 32 or not all(c in "0123456789abcdef" for c in ident):
        raise TokenError(f"找不到凭证“{ident}”：请给出凭证编号（或其前至少4位）或凭证本身")
    rows = list(
        await session.scalars(select(tables.Token).where(tables.Token.id.startswith(ident)))
    )
    if not rows:
        raise TokenError(f"找不到编号以“{ident}”开头的凭证，可用 qis token list 查看")
    if len(rows) > 1:
        ids = "、".join(r.id[:12] for r in rows)
        raise TokenError(f"编号前缀“{ident}”对应多个凭证（{ids}），请给出更长的前缀")
    return rows[0]


async def revoke_token(
    session: AsyncSession, ident: str, *, now: datetime | None = None
) -> tables.Token:
    """Revoke a token (kept, marked revoked); revoking twice keeps the first time."""
    row = await find_token(session, ident)
    if row.revoked_at is None:
        row.revoked_at = now or datetime.now(UTC)
        await session.flush()
    return row


async def list_tokens(session: AsyncSession) -> list[tables.Token]:
    """All tokens, newest first (hashes only; tokens themselves are never stored)."""
    return list(
        await session.scalars(select(tables.Token).order_by(tables.Token.created_at.desc()))
    )
