"""The public directory (Art. 11): named projects, their service items and contacts."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import DirectoryEntry, NationalBaseMark, TypicalCaseRead
from api.services.views import contact_read, service_item_read
from db import tables
from domain.districts import district_name
from domain.project import ProjectSpec
from domain.stages import Level

_RANK = {Level.MUNICIPAL.value: 2, Level.DISTRICT.value: 1}


async def directory(
    *, session: AsyncSession, district: str | None = None, level: Level | None = None
) -> list[DirectoryEntry]:
    """Each project with an active name, under its highest one; nothing internal."""
    query = (
        select(tables.Name, tables.Project)
        .join(tables.Project, tables.Project.id == tables.Name.project_id)
        .outerjoin(tables.NameEnding, tables.NameEnding.name_key == tables.Name.key)
        .where(tables.NameEnding.id.is_(None))
    )
    if district is not None:
        query = query.where(tables.Project.district == district)
    best: dict[str, tuple[tables.Name, tables.Project]] = {}
    for name, project in await session.execute(query):
        held = best.get(project.id)
        if held is None or _RANK[name.level] > _RANK[held[0].level]:
            best[project.id] = (name, project)
    entries = []
    for name, project in best.values():
        name_level = Level(name.level)
        if level is not None and name_level is not level:
            continue
        spec = ProjectSpec.model_validate(project.spec)
        entries.append(
            DirectoryEntry(
                name=name.name,
                level=name_level,
                level_label=name_level.label,
                named_on=name.granted_on,
                district=spec.district,
                district_name=district_name(spec.district),
                type=spec.type,
                type_label=spec.type.label,
                focus=spec.focus,
                unit_name=spec.unit.name,
                service_items=[service_item_read(i) for i in spec.service_items],
                contact=contact_read(spec.unit.contact),
                typical_case=(
                    TypicalCaseRead.model_validate(project.typical_case)
                    if project.typical_case
                    else None
                ),
                # The mark is the municipal name's: shown only under it (Art. 12).
                national_base=(
                    NationalBaseMark(recommended_on=project.national_base_on)
                    if project.national_base_on and name_level is Level.MUNICIPAL
                    else None
                ),
            )
        )
    return sorted(entries, key=lambda e: (-_RANK[e.level.value], e.district, e.name))
