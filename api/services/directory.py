"""The public directory (Art. 11): named projects, their service items and contacts.

Each named project's entry is kept ready in `directory_entries` (db.directory), written as JSON
in the shape of `api.schemas.DirectoryEntry` by the transaction that last changed its row or
names. A request filters and orders those rows through an index, pages them, and PostgreSQL
joins the page's entries into one JSON array (docs/performance.md, "GET /v1/directory"). The
API sends that text as it is; the console page reads the same text into `DirectoryEntry`
objects, so both publish the same things.

The whole list (no filter, no page) is the largest answer, megabytes at city scale, and changes
seldom. `WholeDirectory` keeps it in each API process with its version, which PostgreSQL gives
for every request (a cheap scan); the entries are read again only once the version moved, and
the version is the answer's ETag (docs/performance.md, "What limits each figure").
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import DirectoryEntry
from db import tables
from db.directory import EMPTY_ARRAY
from db.versions import version_of
from domain.elements import Element
from domain.stages import Level

MAX_LIMIT = 1000  # entries in one page
MAX_OFFSET = 1_000_000
ENTRIES = TypeAdapter(list[DirectoryEntry])


@dataclass(frozen=True)
class DirectoryPage:
    """Entries as a JSON array (all of them, or one page) and how many match in all."""

    body: bytes
    total: int

    def entries(self) -> list[DirectoryEntry]:
        """The entries as objects (for the console's template)."""
        return ENTRIES.validate_json(self.body)


def _order(c: Any) -> tuple[ColumnElement[Any], ...]:
    """Highest level first, then district, name and id (the columns compare as code points)."""
    return (c.rank.desc(), c.district, c.name, c.project_id)


@lru_cache(maxsize=16)
def _statement(district: bool, level: bool, element: bool, paged: bool) -> Any:
    """The query for one shape of request, built once: (entries as JSON text, total), with the
    filters asked for as bound parameters `district`, `level` and `element`."""
    entry = tables.DirectoryEntry
    where = []
    if district:
        where.append(entry.district == bindparam("district"))
    if level:
        where.append(entry.level == bindparam("level"))
    if element:
        where.append(entry.service_items.op("@>")(bindparam("element", type_=JSONB)))
    if paged:
        # The page's keys first (narrow rows, sorted in memory or read off the index), then
        # their entries: sorting the wide entries to skip `offset` of them spills to disk.
        keys = (
            select(entry.rank, entry.district, entry.name, entry.project_id)
            .where(*where)
            .order_by(*_order(entry))
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
            .subquery("page")
        )
        rows: Any = (
            select(entry.entry, *keys.c)
            .join_from(keys, entry, entry.project_id == keys.c.project_id)
            .subquery("rows")
        )
    else:
        rows = select(entry.entry, entry.rank, entry.district, entry.name, entry.project_id)
        rows = rows.where(*where).subquery("rows")
    entries = func.json_agg(aggregate_order_by(rows.c.entry, *_order(rows.c)))
    # As UTF-8 bytes: the answer's body as it is, not decoded and encoded again.
    array = func.coalesce(entries, EMPTY_ARRAY).cast(Text)
    body = select(func.convert_to(array, "UTF8")).scalar_subquery()
    total = select(func.count()).select_from(entry).where(*where).scalar_subquery()
    return select(body, total)


async def directory_page(
    *,
    session: AsyncSession,
    district: str | None = None,
    level: Level | None = None,
    element: Element | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> DirectoryPage:
    """Named projects, highest level first, then by district, name and id (a stable order);
    all of them, or `limit` from `offset`; nothing internal."""
    statement = _statement(
        district is not None, level is not None, element is not None, limit is not None
    )
    params: dict[str, Any] = {
        "district": district,
        "level": level.value if level else None,
        "element": [{"element": element.value}] if element else None,
        "limit": limit,
        "offset": offset if limit is not None else None,
    }
    given = {k: v for k, v in params.items() if v is not None}
    body, count = (await session.execute(statement, given)).one()
    return DirectoryPage(body=bytes(body), total=int(count))


_VERSION = version_of(tables.DirectoryEntry.__tablename__)


class WholeDirectory:
    """The whole directory as this process last read it, and the version it was read at."""

    def __init__(self) -> None:
        self._version = ""
        self._body = b""

    async def read(self, session: AsyncSession) -> tuple[str, bytes]:
        """(version, entries as a JSON array) as of now.

        The version is asked first and the entries, when it moved, after: entries read later
        are never older than the version they are kept under, so a stale body cannot be kept
        under a current version (at worst a current body under an old one, read again next time).
        """
        version = str(await session.scalar(_VERSION))
        if version != self._version:
            page = await directory_page(session=session)
            self._version, self._body = version, page.body
        return version, self._body
