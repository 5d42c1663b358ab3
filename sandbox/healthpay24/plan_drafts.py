"""HealthPay24's side of an autopay draft (``sandbox.common.autopay.DraftLedger``): the
statement balance it drafts against, the charge through the portal's processor client, and
the draft recorded as a payment in the payments ledger.

A draft is a payment like a checkout's: it shows in the payment activity (its payment note
names the plan and installment), has a receipt and lowers the statement's balance. It is
dated on the sandbox's clock, the day autopay drafted it.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import UTC, datetime

from sandbox.common import clock
from sandbox.common.autopay import Draft
from sandbox.common.sqlite import transaction
from sandbox.healthpay24 import ledger
from sandbox.processor import tokens
from sandbox.processor.client import ChargeResult, ProcessorClient


class HealthPay24Drafts:
    def __init__(self, db: sqlite3.Connection, processor: ProcessorClient) -> None:
        self._db = db
        self._processor = processor

    def balance_cents(self, statement_id: str) -> int:
        row = self._db.execute(
            "SELECT balance_cents FROM statements WHERE statement_id = ?", (statement_id,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    async def charge(self, token: str, amount_cents: int, idempotency_key: str) -> ChargeResult:
        # Plan ids repeat after a reset (seed + sequence) while the processor keeps its
        # charges, so the engine's key alone would answer a new plan with an old plan's
        # result; the database's epoch, new at every reset, keeps keys apart.
        key = f"{self._epoch()}:{idempotency_key}"
        return await self._processor.charge(token, amount_cents, idempotency_key=key)

    def _epoch(self) -> str:
        self._db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('drafts_epoch', ?)", (secrets.token_hex(6),)
        )
        return str(
            self._db.execute("SELECT value FROM meta WHERE key = 'drafts_epoch'").fetchone()[0]
        )

    def record_draft(self, draft: Draft) -> str:
        with transaction(self._db):
            done = self._db.execute(
                "SELECT confirmation_number FROM payments WHERE charge_id = ?", (draft.charge_id,)
            ).fetchone()
            if done is not None:
                return str(done[0])
            instrument = tokens.read(draft.token)
            if instrument is None:  # the processor just charged it, so it is readable
                raise ValueError("a drafted token the processor does not know")
            # The same deterministic numbering as a checkout's payment.
            confirmation = ledger._next_confirmation(self._db)
            drafted_at = datetime.fromtimestamp(clock.now(self._db), UTC)
            self._db.execute(
                "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (confirmation, draft.statement_id, draft.owner, draft.amount_cents,
                 draft.description, draft.token, instrument.brand, instrument.last4,
                 instrument.kind.value, draft.charge_id, draft.idempotency_key,
                 drafted_at.isoformat(timespec="seconds")),
            )  # fmt: skip
            self._db.execute(
                "UPDATE statements SET balance_cents = balance_cents - ? WHERE statement_id = ?",
                (draft.amount_cents, draft.statement_id),
            )
        return confirmation
