"""Webhooks signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)."""

import base64
import secrets
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
USER_AGENT = "QIS-Sender/1.0"


class WebhookRejected(Exception):
    """The receiver answered with a status other than 2xx."""


def new_secret() -> str:
    """A fresh signing secret, `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(
    secret: str, message_id: str, body: str, now: datetime | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, signed at `now`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, moment, body),
    }


async def post(
    http: httpx.AsyncClient, url: str, *, secret: str, message_id: str, body: str
) -> None:
    """POST the signed body; WebhookRejected for a non-2xx answer, httpx errors for no answer."""
    headers = {
        "content-type": "application/json; charset=utf-8",
        "user-agent": USER_AGENT,
        **signed_headers(secret, message_id, body),
    }
    response = await http.post(url, content=body.encode(), headers=headers)
    if not response.is_success:
        raise WebhookRejected(f"HTTP {response.status_code}：{response.text[:300]}")
