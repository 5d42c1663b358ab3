"""Daily settlement batches: payments and refunds collect in the open batch until it closes.

A business day's batch closes at the nightly cutoff on the sandbox clock (``CUTOFF``); a
payment made after the cutoff goes into the next day's batch. The admin API's
``settlements/close`` settles the open batch early, as the processor would on request (the
next payment then opens a second batch for the same day). Batches close lazily: whoever
reads or writes a batch first settles every batch whose cutoff has passed, stamped with the
cutoff's time, which nobody can tell from a job running at the cutoff itself. The deposit
lands the day after the batch's business day. Voided payments never settle, so they are
left out of a batch's transactions and totals.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sandbox.common.cutoff import Cutoff, sandbox_now
from sandbox.common.export_faults import ExportFaultState
from sandbox.patientco.formatting import plain_amount, us_date

OPEN = "open"
SETTLED = "settled"
CUTOFF = Cutoff(time(21, 0))  # 4 pm Eastern in winter: the processor's batch window


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    status: str
    period_start: str  # ISO dates
    period_end: str
    deposit_date: str | None
    payment_count: int
    payments_cents: int
    refund_count: int
    refunds_cents: int  # negative
    chargeback_count: int = 0
    chargebacks_cents: int = 0  # negative

    @property
    def net_cents(self) -> int:
        return self.payments_cents + self.refunds_cents + self.chargebacks_cents


def open_batch(db: sqlite3.Connection) -> str:
    """The batch collecting this business day's transactions, opened if none is (inside the
    caller's transaction)."""
    close_due_batches(db)
    row = db.execute("SELECT batch_id FROM batches WHERE status = ?", (OPEN,)).fetchone()
    if row is not None:
        return str(row["batch_id"])
    now = sandbox_now(db)
    day = CUTOFF.business_day(now)
    sequence = db.execute(
        "SELECT COUNT(*) FROM batches WHERE batch_id LIKE ?", (f"STL-{day:%Y%m%d}-%",)
    ).fetchone()[0]
    batch_id = f"STL-{day:%Y%m%d}-{sequence + 1:02d}"
    db.execute(
        "INSERT INTO batches (batch_id, status, opened_at) VALUES (?, ?, ?)",
        (batch_id, OPEN, now.isoformat(timespec="seconds")),
    )
    return batch_id


def business_day_of(batch_id: str) -> date:
    """A batch's business day is in its id (``STL-YYYYMMDD-NN``)."""
    stamp = batch_id.split("-")[1]
    return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:]))


def close_due_batches(db: sqlite3.Connection) -> list[str]:
    """Settle every open batch whose business day's cutoff has passed on the sandbox clock."""
    now, closed = sandbox_now(db), []
    for row in db.execute("SELECT batch_id FROM batches WHERE status = ?", (OPEN,)).fetchall():
        day = business_day_of(row["batch_id"])
        if CUTOFF.has_closed(day, now):
            _settle(db, row["batch_id"], CUTOFF.closes_at(day).isoformat(timespec="seconds"), day)
            closed.append(str(row["batch_id"]))
    return closed


def is_open(db: sqlite3.Connection, batch_id: str) -> bool:
    close_due_batches(db)
    row = db.execute("SELECT status FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
    return row is not None and row["status"] == OPEN


def close_open_batch(db: sqlite3.Connection) -> str | None:
    """Settle the open batch now, before its cutoff (deposit the day after its business
    day); None if no batch is open."""
    close_due_batches(db)
    row = db.execute("SELECT batch_id FROM batches WHERE status = ?", (OPEN,)).fetchone()
    if row is None:
        return None
    closed = sandbox_now(db).isoformat(timespec="seconds")
    _settle(db, row["batch_id"], closed, business_day_of(row["batch_id"]))
    return str(row["batch_id"])


def _settle(db: sqlite3.Connection, batch_id: str, closed_at: str, day: date) -> None:
    db.execute(
        "UPDATE batches SET status = ?, closed_at = ?, deposit_date = ? WHERE batch_id = ?",
        (SETTLED, closed_at, (day + timedelta(days=1)).isoformat(), batch_id),
    )


def transactions(db: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    """The batch's settled money, oldest first: payments positive, refunds negative."""
    rows = [
        {**dict(row), "type": "Payment"}
        for row in db.execute(
            "SELECT p.transaction_id, p.created_at, p.account_number, g.guarantor_number, "
            "p.statement_id, p.brand, p.last4, p.method_kind, p.reference, p.amount_cents "
            "FROM payments p JOIN guarantors g ON g.account_number = p.account_number "
            "WHERE p.batch_id = ? AND p.status != 'voided'",
            (batch_id,),
        )
    ]
    rows += [
        {**dict(row), "type": "Refund", "amount_cents": -row["amount_cents"]}
        for row in db.execute(
            "SELECT r.refund_id AS transaction_id, r.created_at, p.account_number, "
            "g.guarantor_number, p.statement_id, p.brand, p.last4, p.method_kind, p.reference, "
            "r.amount_cents FROM refunds r JOIN payments p ON p.transaction_id = r.transaction_id "
            "JOIN guarantors g ON g.account_number = p.account_number WHERE r.batch_id = ?",
            (batch_id,),
        )
    ]
    rows += [
        {**dict(row), "type": "Chargeback", "amount_cents": -row["amount_cents"]}
        for row in db.execute(
            "SELECT c.chargeback_id AS transaction_id, c.created_at, p.account_number, "
            "g.guarantor_number, p.statement_id, p.brand, p.last4, p.method_kind, p.reference, "
            "c.amount_cents FROM chargebacks c "
            "JOIN payments p ON p.transaction_id = c.transaction_id "
            "JOIN guarantors g ON g.account_number = p.account_number WHERE c.batch_id = ?",
            (batch_id,),
        )
    ]
    rows.sort(key=lambda row: (row["created_at"], row["transaction_id"]))
    return rows


def batches(db: sqlite3.Connection) -> list[BatchSummary]:
    """Every batch, newest first."""
    close_due_batches(db)
    found = []
    for row in db.execute("SELECT * FROM batches ORDER BY opened_at DESC, batch_id DESC"):
        moves = transactions(db, row["batch_id"])
        payments = [m["amount_cents"] for m in moves if m["type"] == "Payment"]
        refunds = [m["amount_cents"] for m in moves if m["type"] == "Refund"]
        chargebacks = [m["amount_cents"] for m in moves if m["type"] == "Chargeback"]
        days = [row["opened_at"][:10], *(m["created_at"][:10] for m in moves)]
        end = row["closed_at"][:10] if row["closed_at"] else max(days)
        found.append(
            BatchSummary(row["batch_id"], row["status"], row["opened_at"][:10], end,
                         row["deposit_date"], len(payments), sum(payments), len(refunds),
                         sum(refunds), len(chargebacks), sum(chargebacks))
        )  # fmt: skip
    return found


def batch(db: sqlite3.Connection, batch_id: str) -> BatchSummary | None:
    return next((found for found in batches(db) if found.batch_id == batch_id), None)


def export_filename(batch_id: str) -> str:
    return f"patientco-settlement-{batch_id}.csv"


def export_csv(
    db: sqlite3.Connection, summary: BatchSummary, faults: ExportFaultState | None = None
) -> str:
    """The batch report staff download: a header block, one row per transaction, totals.

    With export faults armed, the rows and the totals are what the faulty file shows."""
    moves = []
    for move in transactions(db, summary.batch_id):
        shown = (
            move["amount_cents"]
            if faults is None
            else faults.shown(move["transaction_id"], move["amount_cents"])
        )
        if shown is not None:
            moves.append({**move, "amount_cents": shown})
    total = {kind: [m["amount_cents"] for m in moves if m["type"] == kind]
             for kind in ("Payment", "Refund", "Chargeback")}  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Patientco settlement batch report"])
    writer.writerow(["Batch ID", summary.batch_id])
    writer.writerow(["Status", summary.status.capitalize()])
    writer.writerow(["Period start", us_date(summary.period_start)])
    writer.writerow(["Period end", us_date(summary.period_end)])
    writer.writerow(["Deposit date", us_date(summary.deposit_date)])
    writer.writerow([])
    writer.writerow(["Transaction ID", "Type", "Date", "Account", "Guarantor #", "Statement",
                     "Method", "Last 4", "Reference", "Amount (USD)"])  # fmt: skip
    for move in moves:
        method = "ACH" if move["method_kind"] == "ach" else move["brand"]
        writer.writerow([move["transaction_id"], move["type"], us_date(move["created_at"]),
                         move["account_number"], move["guarantor_number"],
                         move["statement_id"] or "", method, move["last4"], move["reference"],
                         plain_amount(move["amount_cents"])])  # fmt: skip
    writer.writerow([])
    for label, kind in (("Total payments", "Payment"), ("Total refunds", "Refund"),
                        ("Total chargebacks", "Chargeback")):  # fmt: skip
        if total[kind] or kind != "Chargeback":  # the chargeback line only when there are any
            writer.writerow([label, len(total[kind]), plain_amount(sum(total[kind]))])
    writer.writerow(["Net deposit", "", plain_amount(sum(m["amount_cents"] for m in moves))])
    return out.getvalue()


def today(db: sqlite3.Connection) -> date:
    """The calendar date on the sandbox clock (a void is same-day only)."""
    return sandbox_now(db).date()
