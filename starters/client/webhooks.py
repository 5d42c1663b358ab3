"""Verifying a BillBridge webhook in a receiver: signature and timestamp, then the event.

BillBridge signs per Standard Webhooks with the maintained ``standardwebhooks`` library;
this checks with the same library, so a receiver needs nothing else::

    from starters.client import WebhookVerificationFailed, verify_webhook

    async def receive(request):                    # any framework: raw body + headers
        try:
            event = verify_webhook(await request.body(), request.headers, SECRET)
        except WebhookVerificationFailed:
            return Response(status_code=400)
        if not seen_before(event.id):              # webhook-id == event.id: deduplicate
            handle(event)
        return Response(status_code=204)           # any 2xx: delivered, no retry

Verify the raw bytes as received (re-serialized JSON no longer matches its signature).
A timestamp more than five minutes from now is refused, which stops replays.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping

from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from models.webhooks import WebhookPayload

WebhookEvent = WebhookPayload


class WebhookVerificationFailed(Exception):
    """The request is not a webhook BillBridge signed with this secret just now: a missing
    header, a bad signature, a stale or future timestamp, or a body that is no event."""


def verify_webhook(body: bytes, headers: Mapping[str, str], secret: str) -> WebhookEvent:
    """The event a verified webhook carries; WebhookVerificationFailed otherwise."""
    try:
        Webhook(secret).verify(body, dict(headers.items()), json_parse=False)
    except (WebhookVerificationError, ValueError, binascii.Error) as err:
        # ValueError/binascii.Error: a malformed signature header the library cannot split.
        raise WebhookVerificationFailed(str(err) or type(err).__name__) from None
    try:
        event = WebhookPayload.model_validate_json(body)
    except ValidationError:
        raise WebhookVerificationFailed("the signed body is not a BillBridge event") from None
    found = {k.lower(): v for k, v in headers.items()}.get("webhook-id")
    if found != event.id:
        raise WebhookVerificationFailed("the webhook-id header does not name the event")
    return event
