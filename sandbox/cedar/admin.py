"""The sandbox's admin API (JSON, no auth): ground truth and fault injection for tests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from sandbox.cedar import auth, ledger, outbox, seed
from sandbox.cedar.state import SandboxDep
from sandbox.common.faults import FaultSettings, FaultUpdate, UnknownStep
from sandbox.processor import tokens

router = APIRouter(prefix="/__sandbox__")


class PasswordChange(BaseModel):
    password: str = Field(min_length=1)


@router.get("/")
async def documentation(request: Request, sandbox: SandboxDep) -> Response:
    return sandbox.render(
        request, "admin_index.html", seed=seed, settings=sandbox.settings,
        page_size=ledger.STATEMENTS_PAGE_SIZE, faults=sandbox.faults.settings,
    )  # fmt: skip


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "vendor": "cedar"}


@router.post("/reset")
async def reset(sandbox: SandboxDep) -> dict[str, str]:
    """Re-seed; the outbox, remembered devices and sessions go with it."""
    sandbox.reset()
    return {"status": "reset"}


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


@router.post("/users/{username}/password")
async def change_password(
    sandbox: SandboxDep, username: str, change: PasswordChange
) -> dict[str, str]:
    """As if the patient changed the password elsewhere: the old one stops working."""
    if not auth.set_password(sandbox.db, username, change.password):
        raise HTTPException(status_code=404, detail="user not found")
    return {"username": username, "status": "password changed"}


@router.get("/outbox")
async def outbox_messages(sandbox: SandboxDep, username: str | None = None) -> dict[str, Any]:
    """The patients' phones and inboxes: every code sent, newest first."""
    return {"messages": outbox.messages(sandbox.db, username)}


@router.delete("/outbox")
async def clear_outbox(sandbox: SandboxDep) -> dict[str, int]:
    return {"deleted": outbox.clear(sandbox.db)}


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


@router.get("/logins")
async def logins(sandbox: SandboxDep) -> dict[str, object]:
    return auth.login_counts(sandbox.db)


@router.post("/sessions/expire")
async def expire_sessions(sandbox: SandboxDep) -> dict[str, int]:
    return {"expired": auth.expire_all_sessions(sandbox.db)}


@router.get("/faults")
async def get_faults(sandbox: SandboxDep) -> FaultSettings:
    return sandbox.faults.settings


@router.post("/faults")
async def set_faults(sandbox: SandboxDep, change: FaultUpdate) -> FaultSettings:
    try:
        return sandbox.faults.update(change)
    except UnknownStep as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


@router.delete("/faults")
async def clear_faults(sandbox: SandboxDep) -> FaultSettings:
    sandbox.faults.clear()
    return sandbox.faults.settings


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
