"""Reading a settlement batch's CSV export into a SettlementBatch (FHIR PaymentReconciliation).

The export has a header block ("Batch ID,STL-…", "Status,Settled", period and deposit
dates), a blank line, one row per transaction, a blank line and totals. The totals are
checked against the rows: an export that does not add up is a changed portal.
"""

from __future__ import annotations

import csv
import io

from models.errors import PortalChanged
from models.money import Money
from models.settlements import (
    SettlementBatch,
    SettlementDetail,
    SettlementDetailType,
    SettlementStatus,
)
from portals.patientco import parsing

TITLE = "Patientco settlement batch report"
HEADER = ["Transaction ID", "Type", "Date", "Account", "Guarantor #", "Statement", "Method",
          "Last 4", "Reference", "Amount (USD)"]  # fmt: skip
_STATUSES = {"Open": SettlementStatus.OPEN, "Settled": SettlementStatus.SETTLED}
_TYPES = {
    "Payment": SettlementDetailType.PAYMENT,
    "Refund": SettlementDetailType.REFUND,
    "Chargeback": SettlementDetailType.CHARGEBACK,  # names its payment by the reference only
}


def filename(batch_id: str) -> str:
    """What the console names the download (and the artifact is named after)."""
    return f"patientco-settlement-{batch_id}.csv"


def parse(text: str) -> SettlementBatch:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != [TITLE]:
        raise PortalChanged("settlement export: not a Patientco settlement batch report")
    facts: dict[str, str] = {}
    index = 1
    while index < len(rows) and rows[index]:
        key, *value = rows[index]
        facts[key] = value[0] if value else ""
        index += 1
    index += 1
    if index >= len(rows) or rows[index] != HEADER:
        raise PortalChanged("settlement export: the transaction columns changed")
    details = []
    index += 1
    while index < len(rows) and rows[index]:
        details.append(_detail(dict(zip(HEADER, rows[index], strict=True))))
        index += 1
    totals = {row[0]: row for row in rows[index + 1 :] if row}
    try:
        status = _STATUSES[facts["Status"]]
        net = parsing.plain_money(totals["Net deposit"][2], "net deposit")
        batch = SettlementBatch(
            identifier=facts["Batch ID"],
            status=status,
            period_start=parsing.day(facts["Period start"], "period start"),
            period_end=parsing.day(facts["Period end"], "period end"),
            payment_date=parsing.optional_day(facts["Deposit date"], "deposit date"),
            payment_amount=net,
            details=details,
        )
    except (KeyError, IndexError, ValueError):
        raise PortalChanged("settlement export: the header or totals changed") from None
    if sum(d.amount.amount_cents for d in details) != net.amount_cents:
        raise PortalChanged("settlement export: the transactions do not add up to the deposit")
    return batch


def _detail(row: dict[str, str]) -> SettlementDetail:
    try:
        kind = _TYPES[row["Type"]]
    except KeyError:
        raise PortalChanged(
            "settlement export: a transaction type the adapter does not know"
        ) from None
    return SettlementDetail(
        identifier=row["Transaction ID"],
        type=kind,
        amount=Money(amount_cents=parsing.plain_money(row["Amount (USD)"], "amount").amount_cents),
        date=parsing.day(row["Date"], "transaction date"),
        account=row["Account"] or None,
        reference=row["Reference"] or None,
    )
