"""The daily settlement files HealthPay24 drops on its SFTP server: one CSV per closed batch.

HealthPay24's own layout, a record type in the first column:

    H,HEALTHPAY24 SETTLEMENT,<batch>,<business day YYYYMMDD>,<deposit day YYYYMMDD>
    D,<time ISO 8601 UTC>,<SALE|REFUND|CHARGEBACK>,<confirmation>,<original confirmation>,
      <account>,<card brand>,<last 4>,<amount 0.00, negative for money out>,<memo>
    T,<detail count>,<net amount>

A chargeback names the payment it reverses in the original-confirmation column.
"""

from __future__ import annotations

import csv
import io
import sqlite3

from sandbox.common.export_faults import ExportFaultState
from sandbox.healthpay24 import settlement

DIRECTORY = "outbound/settlements"


def filename(batch: settlement.Batch) -> str:
    return f"HP24_SETTLEMENT_{batch.business_day:%Y%m%d}.csv"


def render(db: sqlite3.Connection, batch: settlement.Batch, faults: ExportFaultState) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["H", "HEALTHPAY24 SETTLEMENT", batch.batch_id,
                     f"{batch.business_day:%Y%m%d}", f"{batch.deposit_date:%Y%m%d}"])  # fmt: skip
    count, net = 0, 0
    for row in settlement.payments_in(db, batch):
        confirmation = str(row["confirmation_number"])
        shown = faults.shown(confirmation, int(row["amount_cents"]))
        lines = [] if shown is None else [("SALE", confirmation, "", shown)]
        if confirmation in faults.faults.chargebacks:
            lines.append(("CHARGEBACK", f"CB-{confirmation}", confirmation, -row["amount_cents"]))
        for kind, number, original, cents in lines:
            writer.writerow(["D", row["created_at"], kind, number, original,
                             row["account_number"], row["brand"], row["last4"],
                             signed_amount(cents), row["reference"]])  # fmt: skip
            count, net = count + 1, net + cents
    for row in settlement.refunds_in(db, batch):
        number = str(row["refund_number"])
        shown = faults.shown(number, -int(row["amount_cents"]))
        if shown is None:
            continue
        writer.writerow(["D", row["created_at"], "REFUND", number, row["confirmation_number"],
                         row["account_number"], row["brand"], row["last4"],
                         signed_amount(shown), row["note"]])  # fmt: skip
        count, net = count + 1, net + shown
    writer.writerow(["T", count, signed_amount(net)])
    return out.getvalue()


def files(db: sqlite3.Connection, faults: ExportFaultState) -> dict[str, str]:
    """Every closed batch's file by name, as the SFTP server lists them."""
    return {filename(b): render(db, b, faults) for b in settlement.closed_batches(db)}


def signed_amount(cents: int) -> str:
    """``-12.34``: money out of the merchant's account is negative."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
