"""Hosted fields: the payment-method iframe a portal's checkout embeds from this origin.

The portal's server opens a checkout session (which page may frame it, which saved methods
to offer); the iframe lets the person pick a saved method or type a test card or bank
account, confirms it here, and hands the parent page only a token by ``postMessage``.
Typed numbers never reach the portal and are never stored: only the minted token is.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, field_validator
from starlette.responses import JSONResponse, Response

from sandbox.processor import tokens
from sandbox.processor.card_entry import EntryError, bank_instrument, card_instrument
from sandbox.processor.state import ProcessorDep, new_id

router = APIRouter()

GONE = 410


class CheckoutSessionRequest(BaseModel):
    merchant: str = Field(min_length=1)
    parent_origin: str
    saved_tokens: list[str] = Field(default_factory=list)

    @field_validator("parent_origin")
    @classmethod
    def _bare_origin(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ValueError("parent_origin must be an origin such as http://127.0.0.1:8102")
        return f"{parts.scheme}://{parts.netloc}"


class Confirmation(BaseModel):
    """One of: a saved token; a typed card; a typed bank account."""

    saved_token: str | None = None
    card_number: str | None = None
    exp: str = ""
    cvc: str = ""
    zip: str = ""
    routing: str | None = None
    account: str | None = None


def method_label(instrument: tokens.Instrument) -> str:
    return f"{instrument.brand} ending in {instrument.last4}"


@router.post("/v1/checkout-sessions")
async def open_session(
    request: Request, processor: ProcessorDep, session: CheckoutSessionRequest
) -> JSONResponse:
    if any(tokens.read(token) is None for token in session.saved_tokens):
        return JSONResponse(
            {"error": "invalid_token", "message": "saved_tokens holds a token not issued here."},
            status_code=400,
        )
    session_id = new_id("cs")
    now = time.time()
    processor.db.execute(
        "INSERT INTO checkout_sessions VALUES (?, ?, ?, ?, ?, ?, NULL)",
        (session_id, session.merchant, session.parent_origin,
         json.dumps([token.strip() for token in session.saved_tokens]), now,
         now + processor.settings.checkout_session_seconds),
    )  # fmt: skip
    origin = str(request.base_url).rstrip("/")
    return JSONResponse({"session_id": session_id, "url": f"{origin}/hosted-fields/{session_id}"})


def _session(db: sqlite3.Connection, session_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM checkout_sessions WHERE session_id = ?", (session_id,)
    ).fetchone()
    return row


def _framing(session: sqlite3.Row) -> dict[str, str]:
    # Only the page that opened the session may frame it (clickjacking); no X-Frame-Options,
    # which would forbid the framing the whole design depends on.
    return {"Content-Security-Policy": f"frame-ancestors {session['parent_origin']}"}


@router.get("/hosted-fields/{session_id}")
async def hosted_fields(request: Request, processor: ProcessorDep, session_id: str) -> Response:
    session = _session(processor.db, session_id)
    if session is None:
        return processor.render(
            request, "session_gone.html", 404, heading="Payment session not found"
        )
    if time.time() >= session["expires_at"]:
        return processor.render(
            request, "session_gone.html", GONE, _framing(session),
            heading="This payment session has expired",
        )  # fmt: skip
    saved = []
    for token in json.loads(session["saved_tokens"]):
        instrument = tokens.read(token)
        if instrument is not None:
            saved.append({"token": token, "label": method_label(instrument)})
    return processor.render(
        request, "hosted_fields.html", 200, _framing(session),
        session_id=session_id, parent_origin=session["parent_origin"], saved=saved,
    )  # fmt: skip


@router.post("/v1/checkout-sessions/{session_id}/confirm")
async def confirm(processor: ProcessorDep, session_id: str, choice: Confirmation) -> JSONResponse:
    session = _session(processor.db, session_id)
    if session is None:
        return _refusal(404, "unknown_session", "", "This payment session does not exist.")
    if time.time() >= session["expires_at"]:
        return _refusal(
            GONE, "session_expired", "", "This payment session has expired. Start again."
        )
    try:
        token, instrument = _chosen(session, choice)
    except EntryError as error:
        return _refusal(400, "invalid_payment_method", error.field, error.message)
    processor.db.execute(
        "UPDATE checkout_sessions SET confirmed_token = ? WHERE session_id = ?",
        (token, session_id),
    )
    return JSONResponse(
        {"token": token, "brand": instrument.brand, "last4": instrument.last4,
         "kind": instrument.kind.value, "label": method_label(instrument)}
    )  # fmt: skip


def _chosen(session: sqlite3.Row, choice: Confirmation) -> tuple[str, tokens.Instrument]:
    if choice.saved_token is not None:
        instrument = tokens.read(choice.saved_token)
        if instrument is None or choice.saved_token not in json.loads(session["saved_tokens"]):
            raise EntryError("saved_method", "Choose one of your saved payment methods.")
        return choice.saved_token, instrument
    if choice.card_number is not None:
        instrument = card_instrument(choice.card_number, choice.exp, choice.cvc, choice.zip,
                                     date.today())  # fmt: skip
    elif choice.routing is not None or choice.account is not None:
        instrument = bank_instrument(choice.routing or "", choice.account or "")
    else:
        raise EntryError("saved_method", "Choose a payment method.")
    return tokens.mint(instrument), instrument


def _refusal(status: int, error: str, field: str, message: str) -> JSONResponse:
    body: dict[str, Any] = {"error": error, "field": field, "message": message}
    return JSONResponse(body, status_code=status)
