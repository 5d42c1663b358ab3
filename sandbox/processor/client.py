"""How a sandbox portal's server talks to the processor: checkout sessions for the hosted
fields, then charges and refunds on the tokens they hand back.

The processor's JSON API (served by ``sandbox.processor.app``)::

    POST /v1/charges  {merchant, token, amount_cents, currency, idempotency_key}
        200 {"charge_id", "status": "succeeded", "kind", "brand", "last4"}
        402 {"charge_id", "status": "declined", "decline_code": "card_declined" |
             "insufficient_funds", "message"}
        400 {"error": "invalid_token", "message"}       (not a token the processor issued)
    POST /v1/refunds  {charge_id, amount_cents, idempotency_key}
        200 {"refund_id", "charge_id", "amount_cents", "status": "succeeded"}
    GET  /v1/charges?merchant=…   every charge, oldest first (ground truth for tests)
    POST /v1/checkout-sessions  {merchant, parent_origin, saved_tokens}
        200 {"session_id", "url"}   (the hosted-fields iframe, framable by parent_origin only)
        400 {"error": "invalid_token", "message"}       (a saved token not issued here)

``create_checkout_session`` is how a portal that embeds the hosted fields (HealthPay24)
opens one per checkout: the portal never sees a card or bank number, it offers the
patient's saved tokens and embeds the iframe, which hands the page back a token.

The same idempotency key always answers with the first result, as real processors do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import httpx

PAYMENT_REQUIRED = 402
BAD_REQUEST = 400


class ChargeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    INVALID_TOKEN = "invalid_token"


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    charge_id: str | None = None
    decline_code: str | None = None  # "card_declined" | "insufficient_funds"
    brand: str | None = None
    last4: str | None = None
    kind: str | None = None  # "card" | "ach"


class ProcessorUnavailable(Exception):
    """The processor did not open a checkout session: the portal answers its error page."""


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str

    @property
    def origin(self) -> str:
        """The origin the iframe's messages come from; the page ignores every other one."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


class ProcessorClient:
    """One per portal process, owned by its lifespan."""

    def __init__(self, base_url: str, merchant: str, *, timeout: float = 10.0) -> None:
        self._merchant = merchant
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)

    async def charge(
        self, token: str, amount_cents: int, idempotency_key: str, currency: str = "USD"
    ) -> ChargeResult:
        response = await self._http.post(
            "/v1/charges",
            json={"merchant": self._merchant, "token": token, "amount_cents": amount_cents,
                  "currency": currency, "idempotency_key": idempotency_key},
        )  # fmt: skip
        if response.status_code == BAD_REQUEST:
            return ChargeResult(ChargeStatus.INVALID_TOKEN)
        if response.status_code != PAYMENT_REQUIRED:
            response.raise_for_status()
        body = response.json()
        return ChargeResult(
            status=ChargeStatus(body["status"]),
            charge_id=body.get("charge_id"),
            decline_code=body.get("decline_code"),
            brand=body.get("brand"),
            last4=body.get("last4"),
            kind=body.get("kind"),
        )

    async def refund(self, charge_id: str, amount_cents: int, idempotency_key: str) -> str:
        response = await self._http.post(
            "/v1/refunds",
            json={"charge_id": charge_id, "amount_cents": amount_cents,
                  "idempotency_key": idempotency_key},
        )  # fmt: skip
        response.raise_for_status()
        refund_id: str = response.json()["refund_id"]
        return refund_id

    async def create_checkout_session(
        self, parent_origin: str, saved_tokens: list[str]
    ) -> CheckoutSession:
        """Open the hosted fields for one checkout; ``ProcessorUnavailable`` if not opened."""
        try:
            response = await self._http.post(
                "/v1/checkout-sessions",
                json={"merchant": self._merchant, "parent_origin": parent_origin,
                      "saved_tokens": saved_tokens},
            )  # fmt: skip
            response.raise_for_status()
            body = response.json()
            return CheckoutSession(session_id=body["session_id"], url=body["url"])
        except (httpx.HTTPError, KeyError, ValueError) as error:
            raise ProcessorUnavailable(f"no checkout session: {error!r}") from error

    async def aclose(self) -> None:
        await self._http.aclose()
