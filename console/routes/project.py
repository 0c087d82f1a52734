"""One project (`/console/projects/{id}`) and its decisions, one generated form per action.

A decision goes through the same service as `POST /v1/projects/{id}/actions/{action}`
(api.services.decisions.take_decision); a refusal comes back on the same page, beside the field
it is about, with the same Chinese message as the API and what the person typed.
"""

import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.deps import SessionDep, SessionsDep, TemporalDep
from api.errors import InvalidInput, NotPermitted, ServiceError
from api.services.decisions import take_decision
from api.services.projects import get_project, load_project
from console.actions import ActionForm, action_form
from console.auth import CheckedForm, SignedInDep
from console.errors import PageError, status_of
from console.posts import Refusal, place, typed, validate
from console.sessions import SignedIn
from console.templating import render
from domain.actions import Action

router = APIRouter(prefix="/console")

KEY_FIELD = "idempotency_key"
# What the notice at the top says after a redirect here (besides a decision's label).
DONE = {"registered": "登记项目"}
MAX_KEY = 200


@dataclass
class ShownForm:
    """An action's form as the page shows it: blank, or refused with what was typed."""

    form: ActionForm
    key: str
    values: dict[str, str] = field(default_factory=dict)
    refusal: Refusal = field(default_factory=Refusal)


def _action(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        raise PageError(404, f"没有名为“{name[:60]}”的决定") from None


async def _project_page(
    request: Request,
    *,
    session: SessionDep,
    temporal: TemporalDep,
    who: SignedIn,
    project_id: str,
    refused: ShownForm | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    try:
        project = await get_project(
            session=session, temporal=temporal, caller=who.caller, project_id=project_id
        )
    except ServiceError as err:
        raise PageError.of(err) from err
    actions = list(project.allowed_actions)
    if refused is not None and refused.form.action not in actions:
        actions.insert(0, refused.form.action)
    forms = [
        refused
        if refused is not None and refused.form.action is action
        else ShownForm(action_form(action), key=uuid.uuid4().hex)
        for action in actions
    ]
    return render(
        request, "project.html", who=who, status=status, project=project, forms=forms, done=done
    )


@router.get("/projects/{project_id}")
async def project_page(
    request: Request,
    project_id: str,
    session: SessionDep,
    temporal: TemporalDep,
    who: SignedInDep,
    done: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """The project as its process knows it now, with a form per action allowed to the caller."""
    done_label = DONE.get(done) or (Action(done).label if done in set(Action) else "")
    return await _project_page(
        request,
        session=session,
        temporal=temporal,
        who=who,
        project_id=project_id,
        done=done_label,
    )


@router.post("/projects/{project_id}/actions/{action_name}")
async def decide(
    request: Request,
    project_id: str,
    action_name: str,
    session: SessionDep,
    sessions: SessionsDep,
    temporal: TemporalDep,
    who: SignedInDep,
    posted: CheckedForm,
) -> Response:
    """Take the decision; back to the project, or the project with the refusal beside its field."""
    action = _action(action_name)
    form = action_form(action)
    try:
        project = await load_project(session, caller=who.caller, project_id=project_id)
    except ServiceError as err:
        raise PageError.of(err) from err
    await session.close()  # release the connection while Temporal answers
    values = typed(posted)
    key = values.get(KEY_FIELD, "")[:MAX_KEY] or uuid.uuid4().hex
    shown = ShownForm(form, key=key, values=values)
    caller = who.caller
    if caller.role not in form.roles:
        # The same words as the API's role check (api.auth.require_roles).
        refused = NotPermitted(
            f"“{form.label}”只能由{form.roles_label}办理，当前凭证为{caller.describe()}"
        )
        shown.refusal = place(form.fields, [("", refused.message)])
        return await _again(request, session, temporal, who, project_id, shown, 403)
    body, shown.refusal = validate(form.body, form.fields, posted)
    if body is None:
        return await _again(request, session, temporal, who, project_id, shown, 422)
    try:
        await take_decision(
            temporal=temporal,
            sessions=sessions,
            caller=caller,
            project=project,
            action=action,
            body=body,
            idempotency_key=key,
        )
    except ServiceError as err:
        where = err.field if isinstance(err, InvalidInput) else ""
        shown.refusal = place(form.fields, [(where, err.message)])
        return await _again(request, session, temporal, who, project_id, shown, status_of(err))
    return RedirectResponse(
        f"/console/projects/{project.id}?done={action.value}#top", status_code=303
    )


async def _again(
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    who: SignedIn,
    project_id: str,
    shown: ShownForm,
    status: int,
) -> Response:
    """The project page again, the refused form with its messages and typed values."""
    return await _project_page(
        request,
        session=session,
        temporal=temporal,
        who=who,
        project_id=project_id,
        refused=shown,
        status=status,
    )
