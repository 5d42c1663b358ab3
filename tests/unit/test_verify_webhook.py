"""The client's webhook check: what BillBridge signs (with the same standardwebhooks
library) verifies; a changed body, another secret, a stale timestamp, a missing or
malformed header, or a webhook-id that is not the event's are refused, typed."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from math import floor

import pytest
from standardwebhooks.webhooks import Webhook

from models.events import EventType
from models.webhooks import SECRET_PREFIX, WebhookPayload
from starters.client import WebhookVerificationFailed, verify_webhook

SECRET = SECRET_PREFIX + base64.b64encode(b"k" * 32).decode()
EVENT = WebhookPayload(
    id="evt_0123456789abcdef0123456789abcdef",
    type=EventType.PAYMENT_POSTED,
    timestamp=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
    connection_id="conn_1",
    data={"payment_id": "pay_1", "amount_cents": 12500},
)
BODY = EVENT.model_dump_json().encode()


def _headers(
    body: bytes = BODY, at: datetime | None = None, secret: str = SECRET, webhook_id: str = EVENT.id
) -> dict[str, str]:
    at = at or datetime.now(UTC)
    return {
        "Webhook-Id": webhook_id,
        "Webhook-Timestamp": str(floor(at.timestamp())),
        "Webhook-Signature": Webhook(secret).sign(webhook_id, at, body.decode()),
    }


def test_a_signed_event_verifies_and_parses() -> None:
    assert verify_webhook(BODY, _headers(), SECRET) == EVENT


@pytest.mark.parametrize(
    "body, headers",
    [
        (BODY.replace(b"12500", b"99999"), _headers()),
        (BODY, _headers(secret=SECRET_PREFIX + base64.b64encode(b"x" * 32).decode())),
        (BODY, _headers(at=datetime.now(UTC) - timedelta(minutes=10))),
        (BODY, {k: v for k, v in _headers().items() if k != "Webhook-Signature"}),
        (BODY, {**_headers(), "Webhook-Signature": "v1"}),
        (BODY, {**_headers(), "Webhook-Signature": "v1,not base64!"}),
        (BODY, _headers(webhook_id="evt_another")),
        (b'{"not": "an event"}', _headers(body=b'{"not": "an event"}')),
    ],
    ids=[
        "changed-body", "other-secret", "stale", "no-signature", "malformed", "bad-base64",
        "other-webhook-id", "not-an-event",
    ],
)  # fmt: skip
def test_anything_else_is_refused_typed(body: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(WebhookVerificationFailed):
        verify_webhook(body, headers, SECRET)
