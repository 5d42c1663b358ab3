"""The sandbox's admin API (JSON, no auth): ground truth and fault injection for tests.

Staff see every guarantor account of the practice, so a login's ``statements`` are all of
them and its ``cards`` are the demo guarantor's wallet (the one the magic cards live in).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import JSONResponse, Response

from sandbox.common.admin import shared_admin_router
from sandbox.common.autopay_web import plans_admin_router
from sandbox.patientco import console_sessions, ledger, seed, settlement, transactions
from sandbox.patientco.idp import staff_auth
from sandbox.patientco.state import SandboxDep, get_sandbox

SERVICE_UNAVAILABLE = 503


def _expire_sessions(db: sqlite3.Connection) -> dict[str, int]:
    """End every console session and every Patientco ID session: next page → sign in."""
    expired = console_sessions.expire_all(db)
    return {"expired": expired, "idp_sessions": staff_auth.expire_all(db)}


router = APIRouter(prefix="/__sandbox__")
# No plain health: ours waits for the identity provider (below).
router.include_router(
    shared_admin_router(
        get_sandbox,
        logins_table="staff",
        expire_sessions=_expire_sessions,
    )
)
router.include_router(plans_admin_router(lambda request: get_sandbox(request).autopay))


@router.get("/")
async def documentation(request: Request, sandbox: SandboxDep) -> Response:
    return sandbox.render(request, "admin_index.html", seed=seed, settings=sandbox.settings,
                          idp_url=sandbox.oidc.issuer, faults=sandbox.faults.settings,
                          page_size=ledger.ACCOUNTS_PAGE_SIZE)  # fmt: skip


@router.get("/health")
async def health(sandbox: SandboxDep) -> Response:
    """200 only once the identity provider accepts connections too."""
    body = {"status": "ok", "vendor": "patientco", "idp_url": sandbox.oidc.issuer}
    if not sandbox.idp_started():
        return JSONResponse({**body, "status": "starting"}, status_code=SERVICE_UNAVAILABLE)
    return JSONResponse(body)


@router.get("/users")
async def users(sandbox: SandboxDep) -> list[dict[str, Any]]:
    statements = [_statement_json(sandbox, row, items=False)
                  for row in ledger.all_statements(sandbox.db)]  # fmt: skip
    demo_account = ledger.all_accounts(sandbox.db)[0]["account_number"]
    cards = [_method_json(row) for row in ledger.wallet(sandbox.db, demo_account)]
    found = []
    for user in sandbox.db.execute("SELECT * FROM staff ORDER BY position"):
        found.append({
            "username": user["username"], "password": user["password"],
            "totp_secret": user["totp_secret"], "mfa_method": user["mfa_method"],
            "phone": None, "email": user["email"], "full_name": user["full_name"],
            "magic": user["magic"] is not None, "magic_kind": user["magic"],
            "locked": bool(user["locked"]), "cards": cards,
            "statements": [{**s, "username": user["username"]} for s in statements],
        })  # fmt: skip
    return found


@router.get("/statements/{statement_id}")
async def statement(sandbox: SandboxDep, statement_id: str) -> dict[str, Any]:
    row = ledger.statement(sandbox.db, statement_id)
    if row is None:
        raise HTTPException(status_code=404, detail="statement not found")
    return _statement_json(sandbox, row, items=True)


@router.get("/accounts")
async def accounts(sandbox: SandboxDep, username: str | None = None) -> dict[str, Any]:
    """Every guarantor account: any staff login sees them all."""
    if username is not None and staff_auth.user(sandbox.db, username) is None:
        raise HTTPException(status_code=404, detail="user not found")
    return {"accounts": [
        {"account_id": row["account_number"], "guarantor_id": row["guarantor_number"],
         "guarantor_name": row["name"], "birth_date": row["birth_date"], "mrn": row["mrn"],
         "balance_cents": row["balance_cents"], "status": row["status"],
         "mrns": (row["mrns"] or "").split(", "),
         "encounters": [e["encounter_id"] for e in ledger.encounters(sandbox.db,
                                                                     row["account_number"])]}
        for row in ledger.all_accounts(sandbox.db)
    ]}  # fmt: skip


@router.get("/ledger")
async def ledger_payments(sandbox: SandboxDep, reference: str | None = None) -> dict[str, Any]:
    rows = transactions.payments(sandbox.db, reference)
    return {"payments": [
        {"confirmation_number": row["transaction_id"], "statement_id": row["statement_id"] or "",
         "username": row["staff_username"], "amount_cents": row["amount_cents"],
         "reference": row["reference"], "card_token": row["token"],
         "created_at": row["created_at"], "account_number": row["account_number"],
         "method_kind": row["method_kind"], "status": transactions.status_label(row).lower(),
         "refunded_cents": row["refunded_cents"], "batch_id": row["batch_id"]}
        for row in rows
    ]}  # fmt: skip


@router.get("/settlements")
async def settlement_batches(sandbox: SandboxDep) -> dict[str, Any]:
    """Ground truth of every batch, newest first, with its transactions."""
    return {"batches": [
        {"batch_id": b.batch_id, "status": b.status, "period_start": b.period_start,
         "period_end": b.period_end, "deposit_date": b.deposit_date,
         "payments_cents": b.payments_cents, "refunds_cents": b.refunds_cents,
         "net_cents": b.net_cents,
         "transactions": [
             {"transaction_id": t["transaction_id"], "type": t["type"].lower(),
              "amount_cents": t["amount_cents"], "date": t["created_at"][:10],
              "account_number": t["account_number"], "reference": t["reference"]}
             for t in settlement.transactions(sandbox.db, b.batch_id)]}
        for b in settlement.batches(sandbox.db)
    ]}  # fmt: skip


@router.post("/settlements/close")
async def close_batch(sandbox: SandboxDep) -> dict[str, str | None]:
    """The nightly cut-off, on demand: the open batch settles (deposit tomorrow)."""
    return {"closed": settlement.close_open_batch(sandbox.db)}


def _method_json(row: Any) -> dict[str, str]:
    return {"token": row["token"], "brand": row["brand"], "last4": row["last4"],
            "kind": row["kind"], "outcome": row["outcome"]}  # fmt: skip


def _statement_json(sandbox: SandboxDep, row: Any, *, items: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "statement_id": row["statement_id"], "username": "",
        "account_number": row["account_number"], "guarantor_id": row["guarantor_number"],
        "issued_on": row["issued_on"], "due_on": row["due_on"],
        "period_start": row["period_start"], "period_end": row["period_end"],
        "total_cents": row["total_cents"], "balance_cents": row["balance_cents"],
        "status": ledger.status(row), "delivery_channel": row["delivery_channel"],
        "delivery_status": row["delivery_status"],
    }  # fmt: skip
    if items:
        found["line_items"] = [
            {k: v for k, v in dict(item).items() if k not in ("statement_id", "position")}
            for item in ledger.line_items(sandbox.db, row["statement_id"])
        ]
        found["payment_methods"] = [
            _method_json(method) for method in ledger.wallet(sandbox.db, row["account_number"])
        ]
    return found
