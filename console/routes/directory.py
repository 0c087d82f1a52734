"""The public directory page (`/directory`, Art. 11): named projects, their service items and
contacts, typical cases and national-base recommendations. No sign-in, no JavaScript; printable.

It reads what `GET /v1/directory` returns (api.services.directory), so the page and the JSON
publish the same things and nothing internal (docs/console.md). It shows one page of
`PAGE_SIZE` entries, in the JSON's order, with links to the previous and next pages; printed,
it prints the page shown, whose count line says which part of the directory it is.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import SessionDep
from api.services.directory import DirectoryPage, directory_page
from console.templating import render
from domain.districts import DISTRICTS
from domain.elements import Element
from domain.stages import Level

router = APIRouter()

Choice = Annotated[str, Query(max_length=40)]
PUBLISHED_LEVELS = (Level.DISTRICT, Level.MUNICIPAL)
PAGE_SIZE = 50


def _page_number(page: str) -> int:
    """The page asked for; anything that is not a page number means the first."""
    return int(page) if page.isascii() and page.isdigit() and 0 < int(page) <= 100_000 else 1


@router.get("/directory")
async def directory(
    request: Request,
    session: SessionDep,
    district: Choice = "",
    level: Choice = "",
    element: Choice = "",
    page: Choice = "",
) -> Response:
    """The directory, filtered by district, level and element (an unknown choice means all),
    one page at a time (a page past the end shows the last one)."""
    chosen_district = district if district in DISTRICTS else None
    chosen_level = next((lv for lv in PUBLISHED_LEVELS if lv.value == level), None)
    chosen_element = next((e for e in Element if e.value == element), None)
    number = _page_number(page)

    async def read(n: int) -> DirectoryPage:
        return await directory_page(
            session=session,
            district=chosen_district,
            level=chosen_level,
            element=chosen_element,
            limit=PAGE_SIZE,
            offset=(n - 1) * PAGE_SIZE,
        )

    found = await read(number)
    pages = max(1, -(-found.total // PAGE_SIZE))
    if number > pages:
        number = pages
        found = await read(number)
    filters = {
        "district": chosen_district or "",
        "level": chosen_level.value if chosen_level else "",
        "element": chosen_element.value if chosen_element else "",
    }

    def page_url(n: int) -> str:
        query = {k: v for k, v in filters.items() if v} | ({"page": str(n)} if n > 1 else {})
        return "/directory" + (f"?{urlencode(query)}" if query else "")

    entries = found.entries()
    first = (number - 1) * PAGE_SIZE + 1
    return render(
        request,
        "directory.html",
        who=None,
        entries=entries,
        total=found.total,
        page={
            "number": number,
            "count": pages,
            "first": first,
            "last": first + len(entries) - 1,
            "previous": page_url(number - 1) if number > 1 else None,
            "next": page_url(number + 1) if number < pages else None,
        },
        districts=DISTRICTS,
        levels=PUBLISHED_LEVELS,
        elements=list(Element),
        chosen={"district": chosen_district, "level": chosen_level, "element": chosen_element},
    )
