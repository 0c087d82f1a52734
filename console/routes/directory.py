"""The public directory page (`/directory`, Art. 11): named projects, their service items and
contacts, typical cases and national-base recommendations. No sign-in, no JavaScript; printable.

It reads what `GET /v1/directory` returns (api.services.directory), so the page and the JSON
publish the same things and nothing internal (docs/console.md).
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import SessionDep
from api.services.directory import directory as directory_entries
from console.templating import render
from domain.districts import DISTRICTS
from domain.elements import Element
from domain.stages import Level

router = APIRouter()

Choice = Annotated[str, Query(max_length=40)]
PUBLISHED_LEVELS = (Level.DISTRICT, Level.MUNICIPAL)


@router.get("/directory")
async def directory(
    request: Request,
    session: SessionDep,
    district: Choice = "",
    level: Choice = "",
    element: Choice = "",
) -> Response:
    """The directory, filtered by district, level and element (an unknown choice means all)."""
    chosen_district = district if district in DISTRICTS else None
    chosen_level = next((lv for lv in PUBLISHED_LEVELS if lv.value == level), None)
    chosen_element = next((e for e in Element if e.value == element), None)
    entries = await directory_entries(session=session, district=chosen_district, level=chosen_level)
    if chosen_element is not None:
        entries = [e for e in entries if any(i.element is chosen_element for i in e.service_items)]
    return render(
        request,
        "directory.html",
        who=None,
        entries=entries,
        districts=DISTRICTS,
        levels=PUBLISHED_LEVELS,
        elements=list(Element),
        chosen={"district": chosen_district, "level": chosen_level, "element": chosen_element},
    )
