"""Decisions: `POST /v1/projects/{id}/actions/{action}`, one documented route per action."""

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Depends, Response
from pydantic import BaseModel

from api.actions import ACTION_DOCS
from api.auth import CallerDep, require_roles
from api.deps import SessionDep, SessionsDep, TemporalDep
from api.errors import NotFound
from api.openapi import IdempotencyKey, error_responses
from api.responses import json_answer
from api.schemas import ACTION_BODIES, ProjectRead
from api.services.decisions import take_decision
from api.services.projects import ProjectRef, load_project
from api.services.tokens import Caller
from domain.actions import Action

router = APIRouter(prefix="/v1/projects", tags=["决定"])


def _target(action: Action) -> Callable[..., Awaitable[tuple[Caller, ProjectRef]]]:
    """A dependency: the caller (role checked: 403) and the project (404, scope 403)."""
    allowed = require_roles(*sorted(action.spec.roles), what=action.label)

    async def dependency(
        project_id: str, session: SessionDep, caller: Annotated[Caller, Depends(allowed)]
    ) -> tuple[Caller, ProjectRef]:
        """The role-checked caller and the project in their scope."""
        project = await load_project(session, caller=caller, project_id=project_id)
        await session.close()  # release the connection while Temporal answers
        return caller, project

    return dependency


def _add_route(action: Action) -> None:
    doc = ACTION_DOCS[action]
    roles = "、".join(r.label for r in sorted(doc.spec.roles))
    required = doc.body_required
    Target = Annotated[tuple[Caller, ProjectRef], Depends(_target(action))]

    async def endpoint(
        target: Target,
        temporal: TemporalDep,
        sessions: SessionsDep,
        idempotency_key: IdempotencyKey = None,
        body: BaseModel | None = None,
    ) -> Response:
        """Take the decision; the project after it."""
        caller, project = target
        after = await take_decision(
            temporal=temporal,
            sessions=sessions,
            caller=caller,
            project=project,
            action=action,
            body=body,
            idempotency_key=idempotency_key,
        )
        return json_answer(after)

    # FastAPI reads the body's schema from the signature: give it this action's own model.
    body_type: Any = ACTION_BODIES[action]
    annotation: Any = Annotated[
        body_type if required else body_type | None,
        Body(openapi_examples=cast(Any, dict(doc.examples))),
    ]
    signature = inspect.signature(endpoint)
    parameters = [
        p.replace(annotation=annotation, default=inspect.Parameter.empty if required else None)
        if p.name == "body"
        else p
        for p in signature.parameters.values()
    ]
    parameters.sort(key=lambda p: p.default is not inspect.Parameter.empty)
    endpoint.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = action.value.replace("-", "_")
    router.add_api_route(
        f"/{{project_id}}/actions/{action.value}",
        endpoint,
        methods=["POST"],
        summary=f"{action.label}（{roles}）",
        description=f"由{roles}作出；返回决定后的项目。当前阶段不接受时返回 409 及可执行的决定。",
        operation_id=f"action_{action.value.replace('-', '_')}",
        response_model=ProjectRead,
        response_description="决定后的项目",
        responses=error_responses(401, 403, 404, 409, 422, 503),
    )


for _action in Action:
    _add_route(_action)


@router.post("/{project_id}/actions/{action}", include_in_schema=False)
async def unknown_action(project_id: str, action: str, caller: CallerDep) -> None:
    """Any other action: 401 without a token (as every decision route), else 404 listing them."""
    known = [a.value for a in Action]
    raise NotFound(f"没有名为“{action[:60]}”的决定，可用的决定：{'、'.join(known)}", known)
