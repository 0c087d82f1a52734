"""The console's Jinja2 templates (console/templates/) and how a page is rendered."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from console.dates import shanghai_date, shanghai_time
from console.sessions import SignedIn

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["date"] = shanghai_date
templates.env.filters["time"] = shanghai_time
# Pages are never cached: each shows a person's own work, and may hold a form's CSRF secret.
NO_STORE = {"Cache-Control": "no-store"}


def render(
    request: Request,
    name: str,
    *,
    who: SignedIn | None,
    status: int = 200,
    **context: Any,
) -> Response:
    """The page `name` for the signed-in person (None on the sign-in and error pages)."""
    return templates.TemplateResponse(
        request,
        name,
        {"who": who, "csrf": who.csrf if who else "", **context},
        status_code=status,
        headers=NO_STORE,
    )
