"""The console inside the API's app: its pages, its stylesheet and its error pages.

`api.app.create_app` calls `install`; the JSON API is not touched (the console's routes are
left out of the OpenAPI document, and its handlers only answer the console's own errors).
"""

from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from console.errors import TITLES, PageError, SignInRequired
from console.routes import (
    directory,
    inbox,
    operations,
    project,
    projects,
    registration,
    reports,
    session,
)
from console.templating import HERE, render

fallback = APIRouter(prefix="/console")


@fallback.get("/{rest:path}")
async def unknown_page(rest: str) -> Response:
    """Any other console address: a Chinese 404 page (the API's JSON 404 is for the API)."""
    if not rest:
        return RedirectResponse("/console", status_code=308)  # “/console/”: the inbox
    raise PageError(404, "没有这个页面，请从导航栏进入")


async def sign_in(request: Request, err: Exception) -> Response:
    """To the sign-in page, coming back here after it."""
    assert isinstance(err, SignInRequired)
    query = {"next": err.next_path}
    if err.message:
        query["ended"] = "1"
    return RedirectResponse(f"/console/login?{urlencode(query)}", status_code=303)


async def error_page(request: Request, err: Exception) -> Response:
    """The refusal as a page, with the same status and message the API would give."""
    assert isinstance(err, PageError)
    title = TITLES.get(err.status, "无法办理")
    return render(
        request, "error.html", who=None, status=err.status, title=title, message=err.message
    )


def install(app: FastAPI) -> None:
    """Serve the console under /console beside the JSON API."""
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    # The fixed addresses (/projects/new, /projects/import) before /projects/{id}.
    for module in (session, inbox, registration, projects, project, operations, reports, directory):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(fallback, include_in_schema=False)
    app.add_exception_handler(SignInRequired, sign_in)
    app.add_exception_handler(PageError, error_page)
