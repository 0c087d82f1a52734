"""The public directory (Art. 11): named projects, their service items and contacts.

PostgreSQL builds the answer (docs/performance.md, "GET /v1/directory"): it picks each project's
highest active name, orders, pages and writes every entry as JSON in the shape of
`api.schemas.DirectoryEntry`, selecting only the published fields of a row (never `tasks`,
decisions or notes). The API sends that text as it is; the console page reads the same text
into `DirectoryEntry` objects, so both publish the same things.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    Text,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import DirectoryEntry
from db import tables
from domain.districts import DISTRICTS
from domain.elements import Element
from domain.project import ProjectType
from domain.stages import Level

PUBLISHED_LEVELS = (Level.MUNICIPAL, Level.DISTRICT)  # highest first
MAX_LIMIT = 1000  # entries in one page
MAX_OFFSET = 1_000_000
ENTRIES = TypeAdapter(list[DirectoryEntry])
_EMPTY: ColumnElement[Any] = literal_column("'[]'::json")


@dataclass(frozen=True)
class DirectoryPage:
    """Entries as a JSON array (all of them, or one page) and how many match in all."""

    body: bytes
    total: int

    def entries(self) -> list[DirectoryEntry]:
        """The entries as objects (for the console's template)."""
        return ENTRIES.validate_json(self.body)


def _order(c: Any) -> tuple[ColumnElement[Any], ...]:
    """Highest level first, then district, name and id, compared as code points (as Python
    compares strings), whatever the database's collation."""
    return (c.rank.desc(), c.district.collate("C"), c.name.collate("C"), c.project_id.collate("C"))


def _label(value: SQLColumnExpression[Any], labels: dict[str, str]) -> ColumnElement[Any]:
    """The Chinese label of a code, from the domain's table (one definition of each label)."""
    return case(*((value == code, literal(label)) for code, label in labels.items()), else_=None)


def _highest_names() -> Any:
    """Each project's highest active name (municipal over district): the names alone, narrow
    rows, so the pick does not carry the projects' specs."""
    name, ending = tables.Name, tables.NameEnding
    rank = case((name.level == Level.MUNICIPAL.value, 2), else_=1)
    return (
        select(name.project_id, name.name, name.level, name.granted_on, rank.label("rank"))
        .where(~exists().where(ending.name_key == name.key))
        # Grouped by bytes ("C"): the database's collation would only make the sort slower.
        .ext(distinct_on(name.project_id.collate("C")))
        # Two active names of one level cannot both exist; were they to, the newest shows.
        .order_by(name.project_id.collate("C"), rank.desc(), name.granted_on.desc(), name.id.desc())
        .subquery("highest")
    )


def _chosen(district: bool, level: bool, element: bool) -> Any:
    """The entries' names and districts (what orders them), with the filters asked for as
    bound parameters `district`, `level` and `element`."""
    highest, project = _highest_names(), tables.Project
    query = select(*highest.c, project.district).join(project, project.id == highest.c.project_id)
    if district:
        query = query.where(project.district == bindparam("district"))
    if level:
        query = query.where(highest.c.level == bindparam("level"))
    if element:
        query = query.where(
            project.spec["service_items"].op("@>")(bindparam("element", type_=JSONB))
        )
    return query


def _text(value: SQLColumnExpression[Any], key: str) -> ColumnElement[Any]:
    """`value ->> key`: a JSON member as text."""
    return value.op("->>")(key)


def _service_items(items_json: ColumnElement[Any]) -> ColumnElement[Any]:
    """The spec's service items as published, in their order, each with its element's label."""
    item = (
        func.jsonb_array_elements(items_json)
        .table_valued("value", with_ordinality="ordinality")
        .alias("item")
    )
    element = _text(item.c.value, "element")
    published = func.json_build_object(
        "element",
        element,
        "element_label",
        _label(element, {e.value: e.label for e in Element}),
        "title",
        _text(item.c.value, "title"),
    )
    return (
        select(
            func.coalesce(func.json_agg(aggregate_order_by(published, item.c.ordinality)), _EMPTY)
        )
        .select_from(item)
        .scalar_subquery()
    )


def _entry(row: Any) -> ColumnElement[Any]:
    """One entry as JSON, its keys in DirectoryEntry's order: the name from `row`, the rest
    from the published columns of the project's row (joined)."""
    project = tables.Project
    contact, case_ = project.spec["unit"]["contact"], project.typical_case
    return func.json_build_object(
        "name",
        row.c.name,
        "level",
        row.c.level,
        "level_label",
        _label(row.c.level, {lv.value: lv.label for lv in PUBLISHED_LEVELS}),
        "named_on",
        row.c.granted_on,
        "district",
        row.c.district,
        "district_name",
        _label(row.c.district, DISTRICTS),
        "type",
        project.type,
        "type_label",
        _label(project.type, {t.value: t.label for t in ProjectType}),
        "focus",
        project.focus,
        "unit_name",
        project.unit_name,
        "service_items",
        _service_items(project.spec["service_items"]),
        "contact",
        func.json_build_object(
            "person",
            _text(contact, "person"),
            "phone",
            _text(contact, "phone"),
            "email",
            _text(contact, "email"),
        ),
        "typical_case",
        case(
            (
                # SQL NULL or JSON null when there is none.
                func.jsonb_typeof(case_) == "object",
                func.json_build_object(
                    "title",
                    _text(case_, "title"),
                    "summary",
                    _text(case_, "summary"),
                    "selected_on",
                    _text(case_, "selected_on"),
                ),
            ),
            else_=None,
        ),
        # The mark is the municipal name's: shown only under it (Art. 12).
        "national_base",
        case(
            (
                and_(project.national_base_on.is_not(None), row.c.level == Level.MUNICIPAL.value),
                func.json_build_object("recommended_on", project.national_base_on),
            ),
            else_=None,
        ),
    )


@lru_cache(maxsize=16)
def _statement(district: bool, level: bool, element: bool, paged: bool) -> Any:
    """The query for one shape of request, built once: (entries as JSON text, total)."""
    best = _chosen(district, level, element).cte("best")
    ordered = select(best).order_by(*_order(best.c))
    if paged:
        ordered = ordered.limit(bindparam("limit")).offset(bindparam("offset"))
    page = ordered.subquery("page")
    project = tables.Project
    entries = func.json_agg(aggregate_order_by(_entry(page), *_order(page.c)))
    body = (
        select(func.coalesce(entries, _EMPTY).cast(Text))
        .select_from(page.join(project, project.id == page.c.project_id))
        .scalar_subquery()
    )
    total = select(func.count()).select_from(best).scalar_subquery()
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
    text, count = (await session.execute(statement, given)).one()
    return DirectoryPage(body=str(text).encode(), total=int(count))
