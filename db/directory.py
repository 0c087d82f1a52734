"""The `directory_entries` table: the public directory (Art. 11), one ready entry per named project.

An entry is the project under its highest active name (municipal over district), written as
JSON in the shape of `api.schemas.DirectoryEntry` from the published fields of its `projects`
row (never `tasks`, decisions or notes), with the labels of its codes. Whatever writes a
project's row or its names rewrites its entry in the same transaction with `refresh`, so the
directory reads a page through an index (api.services.directory, docs/performance.md). The
migration that made the table filled it with the same statement (`rebuild`); a release that
changes an entry's shape or a label adds a migration that runs `rebuild` again.
"""

from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Insert,
    SQLColumnExpression,
    String,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from db import tables
from db.labels import json_object, label_case
from domain.districts import DISTRICTS
from domain.elements import Element
from domain.project import ProjectType
from domain.stages import Level

PUBLISHED_LEVELS = (Level.MUNICIPAL, Level.DISTRICT)  # highest first
EMPTY_ARRAY: ColumnElement[Any] = literal_column("'[]'::json")
_COLUMNS = ("project_id", "rank", "level", "district", "name", "service_items", "entry")


def _text(value: SQLColumnExpression[Any], key: str) -> ColumnElement[Any]:
    """`value ->> key`: a JSON member as text."""
    return value.op("->>")(key)


def _highest_names(which: ColumnElement[bool]) -> Any:
    """The highest active name of each project `which` selects (by `names.project_id`)."""
    name, ending = tables.Name, tables.NameEnding
    rank = case((name.level == Level.MUNICIPAL.value, 2), else_=1)
    return (
        select(name.project_id, name.name, name.level, name.granted_on, rank.label("rank"))
        .where(which, ~exists().where(ending.name_key == name.key))
        .ext(distinct_on(name.project_id))
        # Two active names of one level cannot both exist; were they to, the newest shows.
        .order_by(name.project_id, rank.desc(), name.granted_on.desc(), name.id.desc())
        .subquery("highest")
    )


def _service_items(items_json: ColumnElement[Any]) -> ColumnElement[Any]:
    """The spec's service items as published, in their order, each with its element's label."""
    item = (
        func.jsonb_array_elements(items_json)
        .table_valued("value", with_ordinality="ordinality")
        .alias("item")
    )
    element = _text(item.c.value, "element")
    published = json_object(
        "element",
        element,
        "element_label",
        label_case(element, {e.value: e.label for e in Element}),
        "title",
        _text(item.c.value, "title"),
    )
    return (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(published, item.c.ordinality)), EMPTY_ARRAY
            )
        )
        .select_from(item)
        .scalar_subquery()
    )


def _entry(name: Any) -> ColumnElement[Any]:
    """One entry as JSON, its keys in DirectoryEntry's order: the name from `name`, the rest
    from the published columns of the project's row (joined)."""
    project = tables.Project
    contact, case_ = project.spec["unit"]["contact"], project.typical_case
    return json_object(
        "name",
        name.c.name,
        "level",
        name.c.level,
        "level_label",
        label_case(name.c.level, {lv.value: lv.label for lv in PUBLISHED_LEVELS}),
        "named_on",
        name.c.granted_on,
        "district",
        project.district,
        "district_name",
        label_case(project.district, DISTRICTS),
        "type",
        project.type,
        "type_label",
        label_case(project.type, {t.value: t.label for t in ProjectType}),
        "focus",
        project.focus,
        "unit_name",
        project.unit_name,
        "service_items",
        _service_items(project.spec["service_items"]),
        "contact",
        json_object(
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
                json_object(
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
                and_(project.national_base_on.is_not(None), name.c.level == Level.MUNICIPAL.value),
                json_object("recommended_on", project.national_base_on),
            ),
            else_=None,
        ),
    )


def _insert(which: ColumnElement[bool]) -> Insert:
    """The entries of the projects whose names `which` selects."""
    highest, project = _highest_names(which), tables.Project
    entries = select(
        highest.c.project_id,
        highest.c.rank,
        highest.c.level,
        project.district,
        highest.c.name,
        project.spec["service_items"],
        _entry(highest),
    ).join(project, project.id == highest.c.project_id)
    return insert(tables.Base.metadata.tables["directory_entries"]).from_select(
        list(_COLUMNS), entries
    )


@cache
def _for_one() -> tuple[Delete, Insert]:
    """One project's statements (`project_id` bound), built once: the delete and the insert."""
    one = bindparam("project_id", type_=String)
    entries = tables.Base.metadata.tables["directory_entries"]
    return delete(entries).where(entries.c.project_id == one), _insert(
        tables.Name.project_id == one
    )


async def refresh(session: AsyncSession, project_id: str) -> None:
    """Rewrite one project's entry from its row and names (in the caller's transaction)."""
    remove, write = _for_one()
    await session.execute(remove, {"project_id": project_id})
    await session.execute(write, {"project_id": project_id})


def rebuild() -> list[Any]:
    """The statements that rewrite every entry (a migration runs them)."""
    return [delete(tables.DirectoryEntry), _insert(true())]
