"""Registering (`/console/projects/new`) and importing (`/console/projects/import`) projects.

The forms are generated from the API's bodies (ProjectCreate, ProjectImport) and go through the
same service as `POST /v1/projects` (api.services.projects.register_project).
"""

import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from api.deps import PolicyDep, SessionDep, SessionsDep, TemporalDep
from api.errors import InvalidInput, ServiceError
from api.schemas import ProjectCreate, ProjectImport
from api.services.projects import register_project
from console.auth import CheckedForm, SignedInDep
from console.errors import PageError, status_of
from console.fields import Field, fields_of
from console.posts import Refusal, place, typed, validate
from console.sessions import SignedIn
from console.templating import render
from domain.actors import Role

router = APIRouter(prefix="/console")

KEY_FIELD = "idempotency_key"
MAX_KEY = 200


@dataclass(frozen=True)
class Registration:
    """One of the two forms: its page title, who may use it, its body and fields."""

    path: str
    title: str
    roles: tuple[Role, ...]
    body: type[ProjectCreate]
    fields: tuple[Field, ...]

    def ensure_allowed(self, who: SignedIn) -> None:
        if who.caller.role not in self.roles:
            roles = "、".join(r.label for r in self.roles)
            raise PageError(
                403, f"“{self.title}”只能由{roles}办理，当前凭证为{who.caller.describe()}"
            )


REGISTER = Registration(
    path="/console/projects/new",
    title="登记项目",
    roles=(Role.OPERATOR, Role.DISTRICT_BUREAU, Role.UNIT),
    body=ProjectCreate,
    fields=fields_of(ProjectCreate),
)
IMPORT = Registration(
    path="/console/projects/import",
    title="导入已命名项目",
    roles=(Role.OPERATOR,),
    body=ProjectImport,
    fields=fields_of(ProjectImport),
)


def _prefilled(who: SignedIn) -> dict[str, str]:
    """What the caller's token already says: a bureau's district, a unit's credit code."""
    values = {KEY_FIELD: uuid.uuid4().hex}
    if who.caller.district:
        values["district"] = who.caller.district
    if who.caller.credit_code:
        values["unit.credit_code"] = who.caller.credit_code
    return values


def _page(
    request: Request,
    who: SignedIn,
    form: Registration,
    values: dict[str, str],
    refusal: Refusal | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "register.html",
        who=who,
        status=status,
        form=form,
        values=values,
        refusal=refusal or Refusal(),
    )


async def _submit(
    request: Request,
    form: Registration,
    posted: CheckedForm,
    who: SignedIn,
    session: SessionDep,
    sessions: SessionsDep,
    temporal: TemporalDep,
    policy: PolicyDep,
) -> Response:
    form.ensure_allowed(who)
    values = typed(posted)
    body: BaseModel | None
    body, refusal = validate(form.body, form.fields, posted)
    if body is None:
        return _page(request, who, form, values, refusal, 422)
    assert isinstance(body, ProjectCreate)
    try:
        project, _ = await register_project(
            session=session,
            sessions=sessions,
            temporal=temporal,
            caller=who.caller,
            body=body,
            policy=policy,
            idempotency_key=values.get(KEY_FIELD, "")[:MAX_KEY] or None,
        )
    except ServiceError as err:
        where = err.field if isinstance(err, InvalidInput) else ""
        refusal = place(form.fields, [(where, err.message)])
        return _page(request, who, form, values, refusal, status_of(err))
    return RedirectResponse(f"/console/projects/{project.id}?done=registered", status_code=303)


@router.get("/projects/new")
async def register_form(request: Request, who: SignedInDep) -> Response:
    """The registration form."""
    REGISTER.ensure_allowed(who)
    return _page(request, who, REGISTER, _prefilled(who))


@router.post("/projects/new")
async def register(
    request: Request,
    posted: CheckedForm,
    who: SignedInDep,
    session: SessionDep,
    sessions: SessionsDep,
    temporal: TemporalDep,
    policy: PolicyDep,
) -> Response:
    """Register the project and start its process; its page."""
    return await _submit(request, REGISTER, posted, who, session, sessions, temporal, policy)


@router.get("/projects/import")
async def import_form(request: Request, who: SignedInDep) -> Response:
    """The import form (operators)."""
    IMPORT.ensure_allowed(who)
    return _page(request, who, IMPORT, _prefilled(who))


@router.post("/projects/import")
async def import_project(
    request: Request,
    posted: CheckedForm,
    who: SignedInDep,
    session: SessionDep,
    sessions: SessionsDep,
    temporal: TemporalDep,
    policy: PolicyDep,
) -> Response:
    """Import the already named project; its page."""
    return await _submit(request, IMPORT, posted, who, session, sessions, temporal, policy)
