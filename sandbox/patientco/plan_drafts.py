"""Patientco's side of autopay: a draft is a payment posted against the plan's statement by
the console's autopay user, in the open settlement batch, as staff payments are."""

from __future__ import annotations

import sqlite3

from sandbox.common.autopay import Draft
from sandbox.patientco import ledger, transactions
from sandbox.processor.client import ChargeResult, ProcessorClient

PLAN_PREFIX = "PP"
AUTOPAY_USER = "autopay"  # who the transactions list shows as having posted a draft


class PatientcoDrafts:
    """The ``DraftLedger`` of ``sandbox.common.autopay`` over Patientco's tables."""

    def __init__(self, db: sqlite3.Connection, processor: ProcessorClient) -> None:
        self._db = db
        self._processor = processor

    def balance_cents(self, statement_id: str) -> int:
        row = ledger.statement(self._db, statement_id)
        return 0 if row is None else int(row["balance_cents"])

    async def charge(self, token: str, amount_cents: int, idempotency_key: str) -> ChargeResult:
        return await self._processor.charge(token, amount_cents, idempotency_key)

    def record_draft(self, draft: Draft) -> str:
        # The idempotency key is the submission id: a draft recorded once is found again.
        if earlier := transactions.by_submission(self._db, draft.idempotency_key):
            return earlier
        method = {row["token"]: row for row in ledger.wallet(self._db, draft.owner)}[draft.token]
        return transactions.record_payment(
            self._db,
            transactions.NewPayment(
                account_number=draft.owner, statement_id=draft.statement_id,
                staff_username=AUTOPAY_USER, amount_cents=draft.amount_cents,
                reference=draft.description, token=draft.token, method_kind=method["kind"],
                brand=method["brand"], last4=method["last4"], charge_id=draft.charge_id,
                submission_id=draft.idempotency_key,
            ),
        )  # fmt: skip
