"""The charge API portals call server to server: charges, refunds and the charge list.

A charge's outcome comes from its token's test instrument. Every charge is stored, declined
ones too, so tests can see what a portal attempted; the first answer to an idempotency key
is the answer to every repeat of it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from sandbox.common.sqlite import transaction
from sandbox.processor import tokens
from sandbox.processor.state import ProcessorDep, new_id, utc_now

router = APIRouter(prefix="/v1")

PAYMENT_REQUIRED = 402
DECLINE_MESSAGES = {
    "card_declined": "The card was declined.",
    "insufficient_funds": "Insufficient funds.",
}
DECLINE_CODES = {
    tokens.Outcome.DECLINED: "card_declined",
    tokens.Outcome.INSUFFICIENT_FUNDS: "insufficient_funds",
}


class ChargeRequest(BaseModel):
    merchant: str = Field(min_length=1)
    token: str
    amount_cents: int = Field(gt=0)
    currency: str = "USD"
    idempotency_key: str = Field(min_length=1)


class RefundRequest(BaseModel):
    charge_id: str
    amount_cents: int = Field(gt=0)
    idempotency_key: str = Field(min_length=1)


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


@router.post("/charges")
async def create_charge(processor: ProcessorDep, charge: ChargeRequest) -> JSONResponse:
    with transaction(processor.db) as db:
        row = db.execute(
            "SELECT * FROM charges WHERE merchant = ? AND idempotency_key = ?",
            (charge.merchant, charge.idempotency_key),
        ).fetchone()
        if row is None:
            instrument = tokens.read(charge.token)
            if instrument is None:
                return _error(400, "invalid_token", "That is not a token this processor issued.")
            row = _insert_charge(db, charge, instrument)
    return _charge_answer(row)


def _insert_charge(
    db: sqlite3.Connection, charge: ChargeRequest, instrument: tokens.Instrument
) -> sqlite3.Row:
    approved = instrument.outcome is tokens.Outcome.APPROVED
    charge_id = new_id("ch")
    db.execute(
        "INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (charge_id, charge.merchant, charge.token.strip(), charge.amount_cents,
         charge.currency, "succeeded" if approved else "declined",
         None if approved else DECLINE_CODES[instrument.outcome], instrument.kind.value,
         instrument.brand, instrument.last4, charge.idempotency_key, utc_now()),
    )  # fmt: skip
    row: sqlite3.Row = db.execute(
        "SELECT * FROM charges WHERE charge_id = ?", (charge_id,)
    ).fetchone()
    return row


def _charge_answer(row: sqlite3.Row) -> JSONResponse:
    body: dict[str, Any] = {
        "charge_id": row["charge_id"], "status": row["status"],
        "amount_cents": row["amount_cents"], "currency": row["currency"],
        "kind": row["kind"], "brand": row["brand"], "last4": row["last4"],
    }  # fmt: skip
    if row["status"] == "succeeded":
        return JSONResponse(body)
    body |= {"decline_code": row["decline_code"], "message": DECLINE_MESSAGES[row["decline_code"]]}
    return JSONResponse(body, status_code=PAYMENT_REQUIRED)


@router.post("/refunds")
async def create_refund(processor: ProcessorDep, refund: RefundRequest) -> JSONResponse:
    with transaction(processor.db) as db:
        row = db.execute(
            "SELECT * FROM refunds WHERE idempotency_key = ?", (refund.idempotency_key,)
        ).fetchone()
        if row is None:
            charge = db.execute(
                "SELECT * FROM charges WHERE charge_id = ?", (refund.charge_id,)
            ).fetchone()
            if charge is None:
                return _error(404, "unknown_charge", "No such charge.")
            if charge["status"] != "succeeded":
                return _error(400, "charge_not_refundable", "Only a succeeded charge refunds.")
            if refund.amount_cents > charge["amount_cents"] - _refunded(db, refund.charge_id):
                return _error(400, "amount_exceeds_charge", "More than the charge has left.")
            refund_id = new_id("re")
            db.execute(
                "INSERT INTO refunds VALUES (?, ?, ?, ?, ?)",
                (refund_id, refund.charge_id, refund.amount_cents, refund.idempotency_key,
                 utc_now()),
            )  # fmt: skip
            row = db.execute("SELECT * FROM refunds WHERE refund_id = ?", (refund_id,)).fetchone()
    return JSONResponse(
        {"refund_id": row["refund_id"], "charge_id": row["charge_id"],
         "amount_cents": row["amount_cents"], "status": "succeeded"}
    )  # fmt: skip


@router.get("/charges")
async def list_charges(processor: ProcessorDep, merchant: str | None = None) -> dict[str, Any]:
    """Every charge, oldest first, with what has been refunded of it: ground truth for tests."""
    rows = processor.db.execute(
        "SELECT * FROM charges WHERE ? IS NULL OR merchant = ? ORDER BY rowid",
        (merchant, merchant),
    ).fetchall()
    return {
        "charges": [
            {key: row[key] for key in row.keys()}  # noqa: SIM118 (sqlite3.Row has no iterator of keys)
            | {"refunded_cents": _refunded(processor.db, row["charge_id"])}
            for row in rows
        ]
    }


def _refunded(db: sqlite3.Connection, charge_id: str) -> int:
    total: int = db.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE charge_id = ?", (charge_id,)
    ).fetchone()[0]
    return total
