"""The sandbox's admin API (JSON, no auth): ground truth and fault injection for tests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from sandbox.cedar import auth, ledger, seed
from sandbox.cedar.state import SandboxDep, get_sandbox
from sandbox.common.admin import shared_admin_router
from sandbox.common.autopay_web import plans_admin_router
from sandbox.processor import tokens

router = APIRouter(prefix="/__sandbox__")
router.include_router(
    shared_admin_router(
        get_sandbox,
        logins_table="users",
        expire_sessions=lambda db: {"expired": auth.expire_all_sessions(db)},
        vendor="cedar",
    )
)
router.include_router(plans_admin_router(lambda request: get_sandbox(request).autopay))


@router.get("/")
async def documentation(request: Request, sandbox: SandboxDep) -> Response:
    return sandbox.render(
        request, "admin_index.html", seed=seed, settings=sandbox.settings,
        page_size=ledger.STATEMENTS_PAGE_SIZE, faults=sandbox.faults.settings,
    )  # fmt: skip


@router.get("/users")
async def users(sandbox: SandboxDep) -> list[dict[str, Any]]:
    found = []
    for user in sandbox.db.execute("SELECT * FROM users ORDER BY rowid"):
        statements = sandbox.db.execute(
            "SELECT * FROM statements WHERE username = ? ORDER BY statement_date DESC, "
            "statement_id",
            (user["username"],),
        ).fetchall()
        found.append(
            {
                "username": user["username"],
                "password": user["password"],
                "totp_secret": user["totp_secret"],
                "mfa_method": user["mfa_method"],
                "phone": user["phone"],
                "email": user["email"],
                "full_name": user["full_name"],
                "magic": user["magic"] is not None,
                "magic_kind": user["magic"],
                "locked": bool(user["locked"]),
                "cards": _wallet(sandbox, user["username"]),
                "statements": [_statement_json(sandbox, row, items=False) for row in statements],
            }
        )
    return found


@router.get("/statements/{statement_id}")
async def statement(sandbox: SandboxDep, statement_id: str) -> dict[str, Any]:
    row = ledger.statement(sandbox.db, statement_id, None)
    if row is None:
        raise HTTPException(status_code=404, detail="statement not found")
    return _statement_json(sandbox, row, items=True)


@router.get("/accounts")
async def accounts(sandbox: SandboxDep, username: str) -> dict[str, Any]:
    """What the /account page shows this patient: one account per account number, the
    patient as guarantor."""
    user = sandbox.db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    if user is None:
        raise HTTPException(status_code=404, detail="user not found")
    return {
        "accounts": [
            {"account_id": row["account_number"], "guarantor_id": username,
             "guarantor_name": user["full_name"], "birth_date": None, "mrn": None,
             "balance_cents": row["balance_cents"], "status": "active"}
            for row in ledger.accounts(sandbox.db, username)
        ]
    }  # fmt: skip


@router.get("/ledger")
async def ledger_payments(sandbox: SandboxDep, reference: str | None = None) -> dict[str, Any]:
    rows = ledger.payments(sandbox.db, reference=reference)
    keys = ("confirmation_number", "statement_id", "username", "amount_cents", "reference",
            "card_token", "created_at")  # fmt: skip
    return {"payments": [{key: row[key] for key in keys} for row in rows]}


def _statement_json(sandbox: SandboxDep, row: Any, *, items: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "statement_id": row["statement_id"],
        "username": row["username"],
        "account_number": row["account_number"],
        "issued_on": row["statement_date"],
        "due_on": row["due_date"],
        "total_cents": row["total_cents"],
        "balance_cents": row["balance_cents"],
        "status": ledger.status(row),
    }
    if items:
        found["payment_methods"] = _wallet(sandbox, row["username"])
        found["line_items"] = [
            {k: v for k, v in dict(item).items() if k not in ("statement_id", "position")}
            for item in ledger.line_items(sandbox.db, row["statement_id"])
        ]
    return found


def _wallet(sandbox: SandboxDep, username: str) -> list[dict[str, Any]]:
    """The payment methods on file, approving card first, with how a charge on each ends."""
    found = []
    for card in ledger.cards(sandbox.db, username):
        instrument = tokens.read(card["token"])
        found.append(
            {"token": card["token"], "brand": card["brand"], "last4": card["last4"],
             "kind": card["kind"], "outcome": instrument.outcome if instrument else "invalid"}
        )  # fmt: skip
    return found
