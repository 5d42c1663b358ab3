"""The sandbox's admin API (JSON, no auth): ground truth and fault injection for tests.

The same contract as every sandbox portal (``sandbox.admin_client.SandboxAdmin``), plus
``GET /estimates`` for the HealthPay24-only estimates.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from sandbox.common.admin import shared_admin_router
from sandbox.common.autopay_web import plans_admin_router
from sandbox.healthpay24 import auth, ledger, records, seed
from sandbox.healthpay24.state import SandboxDep, get_sandbox
from sandbox.healthpay24.steps import Step

router = APIRouter(prefix="/__sandbox__")
router.include_router(
    shared_admin_router(
        get_sandbox,
        logins_table="logins",
        expire_sessions=lambda db: {"expired": auth.expire_all_sessions(db)},
        vendor="healthpay24",
    )
)
router.include_router(plans_admin_router(lambda request: get_sandbox(request).autopay))

_LEDGER_KEYS = ("confirmation_number", "statement_id", "username", "amount_cents", "reference",
                "card_token", "created_at", "kind", "brand", "last4", "charge_id")  # fmt: skip


_ESTIMATE_LINE_KEYS = ("code", "code_system", "description", "expected_charge_cents",
                       "patient_cents")  # fmt: skip
_LINE_ITEM_KEYS = ("service_date", "code", "code_system", "description", "charge_cents",
                   "patient_cents")  # fmt: skip


@router.get("/")
async def documentation(request: Request, sandbox: SandboxDep) -> Response:
    return sandbox.render(
        request, "admin_index.html", seed=seed, settings=sandbox.settings, steps=list(Step),
        faults=sandbox.faults.settings, users=_users(sandbox.db),
    )  # fmt: skip


@router.get("/users")
async def users(sandbox: SandboxDep) -> list[dict[str, Any]]:
    return _users(sandbox.db)


@router.get("/statements/{statement_id}")
async def statement(sandbox: SandboxDep, statement_id: str) -> dict[str, Any]:
    row = records.statement(sandbox.db, statement_id, None)
    if row is None:
        raise HTTPException(status_code=404, detail="statement not found")
    return _statement_json(sandbox.db, row, row["username"], detail=True)


@router.get("/accounts")
async def accounts(sandbox: SandboxDep, username: str) -> dict[str, Any]:
    found = []
    for row in records.accounts(sandbox.db, username):
        found.append({
            "account_id": row["account_number"],
            "guarantor_id": row["holder_id"],
            "guarantor_name": row["guarantor_name"],
            "birth_date": row["guarantor_birth_date"],
            "mrn": None,  # HealthPay24 shows patients no medical record number
            "balance_cents": row["balance_cents"],
            "status": "active" if row["status"] == "Open" else "inactive",
            "patient_name": row["patient_name"],
            "autopay": bool(row["autopay"]),
            "encounters": [
                {k: e[k] for k in ("encounter_id", "visit_date", "facility", "department")}
                for e in records.encounters(sandbox.db, row["account_number"])
            ],
        })  # fmt: skip
    return {"accounts": found}


@router.get("/estimates")
async def estimates(sandbox: SandboxDep, username: str) -> dict[str, Any]:
    found = []
    for row in records.estimates(sandbox.db, username):
        lines = [
            {key: line[key] for key in _ESTIMATE_LINE_KEYS}
            for line in records.estimate_lines(sandbox.db, row["estimate_id"])
        ]
        found.append({
            **{k: row[k] for k in ("estimate_id", "account_number", "service_date", "facility",
                                   "status", "deposit_cents")},
            "patient_cents": sum(line["patient_cents"] for line in lines),
            "lines": lines,
        })  # fmt: skip
    return {"estimates": found}


@router.get("/ledger")
async def ledger_payments(sandbox: SandboxDep, reference: str | None = None) -> dict[str, Any]:
    rows = ledger.payments(sandbox.db, reference=reference)
    return {"payments": [{key: row[key] for key in _LEDGER_KEYS} for row in rows]}


def _users(db: sqlite3.Connection) -> list[dict[str, Any]]:
    found = []
    for login in db.execute("SELECT * FROM logins ORDER BY rowid"):
        found.append({
            "username": login["username"],
            "password": login["password"],
            "totp_secret": login["totp_secret"],
            "mfa_method": login["mfa_method"],
            "phone": login["phone"],
            "email": None,
            "full_name": login["full_name"],
            "magic": login["magic"] is not None,
            "magic_kind": login["magic"],
            "locked": bool(login["locked"]),
            "holder_id": login["holder_id"],
            "cards": _methods(db, login["username"]),
            "statements": [
                _statement_json(db, row, login["username"], detail=False)
                for row in records.login_statements(db, login["username"])
            ],
        })  # fmt: skip
    return found


def _methods(db: sqlite3.Connection, username: str) -> list[dict[str, str]]:
    keys = ("token", "brand", "last4", "kind", "outcome")
    return [{key: row[key] for key in keys} for row in records.wallet(db, username)]


def _statement_json(
    db: sqlite3.Connection, row: sqlite3.Row, username: str, *, detail: bool
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "statement_id": row["statement_id"],
        "username": username,
        "account_number": row["account_number"],
        "encounter_id": row["encounter_id"],
        "issued_on": row["statement_date"],
        "due_on": row["due_date"],
        "total_cents": row["total_cents"],
        "balance_cents": row["balance_cents"],
        "status": records.statement_status(row),
    }
    if detail:
        charges = records.charges(db, row["statement_id"])
        found["line_items"] = [{key: item[key] for key in _LINE_ITEM_KEYS} for item in charges]
        methods = _methods(db, username)
        # The guarantor's wallet, the approved cards first (what a demo or test pays with).
        methods.sort(key=lambda m: (m["outcome"] != "approved", m["kind"] != "card"))
        found["payment_methods"] = methods
    return found
