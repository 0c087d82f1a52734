"""Operators' pages: where notifications go (`/console/contacts`, as `PUT /v1/contacts`) and the
outbox's failed deliveries (`/console/outbox`, as `qis outbox list --failed` and `retry`)."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.deps import SessionDep
from api.errors import InvalidInput, ServiceError
from api.schemas import DeliveryContactSaved, DeliveryContactWrite
from api.services.contacts import list_contacts, set_contact
from console.auth import CheckedForm, SignedInDep
from console.errors import PageError
from console.fields import fields_of
from console.posts import Refusal, place, typed, validate
from console.sessions import SignedIn
from console.templating import render
from domain.actors import Role
from sender.outbox import OutboxError, outbox_counts, outbox_entries, retry
from sender.status import OutboxState

router = APIRouter(prefix="/console")

CONTACT_FIELDS = fields_of(DeliveryContactWrite)
FAILED_SHOWN = 200


def ensure_operator(who: SignedIn, what: str) -> None:
    """A 403 page unless the caller is an operator."""
    if who.caller.role is not Role.OPERATOR:
        raise PageError(
            403, f"“{what}”只能由{Role.OPERATOR.label}办理，当前凭证为{who.caller.describe()}"
        )


async def _contacts_page(
    request: Request,
    session: SessionDep,
    who: SignedIn,
    *,
    values: dict[str, str] | None = None,
    refusal: Refusal | None = None,
    saved: DeliveryContactSaved | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "contacts.html",
        who=who,
        status=status,
        contacts=await list_contacts(session),
        fields=CONTACT_FIELDS,
        values=values or {},
        refusal=refusal or Refusal(),
        saved=saved,
    )


@router.get("/contacts")
async def contacts(request: Request, session: SessionDep, who: SignedInDep) -> Response:
    """The registered contacts and a form to set one."""
    ensure_operator(who, "管理通知联系方式")
    return await _contacts_page(request, session, who)


@router.post("/contacts")
async def save_contact(
    request: Request, session: SessionDep, who: SignedInDep, posted: CheckedForm
) -> Response:
    """Replace one contact; a new webhook secret is shown once, on the page that answers."""
    ensure_operator(who, "管理通知联系方式")
    values = typed(posted)
    body, refusal = validate(DeliveryContactWrite, CONTACT_FIELDS, posted)
    if body is None:
        return await _contacts_page(
            request, session, who, values=values, refusal=refusal, status=422
        )
    try:
        saved = await set_contact(
            session,
            role=body.role,
            district=body.district,
            credit_code=body.credit_code,
            emails=body.emails,
            webhook_url=body.webhook_url,
            rotate_secret=body.rotate_secret,
        )
        await session.commit()
    except ServiceError as err:
        await session.rollback()
        where = err.field if isinstance(err, InvalidInput) else ""
        refusal = place(CONTACT_FIELDS, [(where, err.message)])
        return await _contacts_page(
            request, session, who, values=values, refusal=refusal, status=422
        )
    return await _contacts_page(request, session, who, saved=saved)


@router.get("/outbox")
async def outbox(request: Request, session: SessionDep, who: SignedInDep) -> Response:
    """The deliveries that gave up, with why, and the outbox's totals."""
    ensure_operator(who, "查看发件箱")
    failed = await outbox_entries(session, failed_only=True, limit=FAILED_SHOWN)
    counts = await outbox_counts(session)
    return render(
        request,
        "outbox.html",
        who=who,
        failed=failed,
        counts=[(state.label, counts[state]) for state in OutboxState],
        retried=request.query_params.get("retried", ""),
    )


@router.post("/outbox/retry")
async def retry_delivery(session: SessionDep, who: SignedInDep, posted: CheckedForm) -> Response:
    """Send one failed delivery again from its first attempt."""
    ensure_operator(who, "重发通知")
    raw = posted.get("delivery_id")
    if not isinstance(raw, str) or not raw.isdigit() or len(raw) > 18:
        raise PageError(422, "delivery_id（投递编号）：应为整数")
    try:
        await retry(session, [int(raw)])
        await session.commit()
    except OutboxError as err:
        raise PageError(409, str(err)) from err
    return RedirectResponse(f"/console/outbox?retried={raw}", status_code=303)
