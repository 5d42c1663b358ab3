"""Cedar's side of autopay: a draft is charged and recorded as Cedar's own payments are."""

from __future__ import annotations

import sqlite3

from sandbox.cedar import charging, ledger
from sandbox.common.autopay import Draft
from sandbox.processor.client import ChargeResult, ProcessorClient

PLAN_PREFIX = "PLN"


class CedarDrafts:
    """The ``DraftLedger`` of ``sandbox.common.autopay`` over Cedar's tables."""

    def __init__(self, db: sqlite3.Connection, processor: ProcessorClient | None) -> None:
        self._db = db
        self._processor = processor

    def balance_cents(self, statement_id: str) -> int:
        row = ledger.statement(self._db, statement_id, None)
        return 0 if row is None else int(row["balance_cents"])

    async def charge(self, token: str, amount_cents: int, idempotency_key: str) -> ChargeResult:
        return await charging.charge(self._processor, token, amount_cents, idempotency_key)

    def record_draft(self, draft: Draft) -> str:
        already = ledger.confirmation_for_charge(self._db, draft.charge_id)
        if already is not None:
            return already
        return ledger.record_payment(
            self._db, statement_id=draft.statement_id, username=draft.owner,
            amount_cents=draft.amount_cents, reference=draft.description,
            card_token=draft.token, charge_id=draft.charge_id,
        )  # fmt: skip
