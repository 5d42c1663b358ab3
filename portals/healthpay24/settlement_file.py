"""Reading HealthPay24's daily settlement file (SFTP) into a SettlementBatch.

The file is HealthPay24's own layout (``H`` header, ``D`` detail, ``T`` trailer records):
the trailer's count and net amount are checked against the details, so a file that does
not add up, or a record type the adapter does not know, is a changed portal.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from models.errors import PortalChanged
from models.money import Money
from models.settlements import (
    SettlementBatch,
    SettlementDetail,
    SettlementDetailType,
    SettlementStatus,
)
from portals.parsing_common import day, lookup, plain_money

TITLE = "HEALTHPAY24 SETTLEMENT"
_TYPES = {
    "SALE": SettlementDetailType.PAYMENT,
    "REFUND": SettlementDetailType.REFUND,
    "CHARGEBACK": SettlementDetailType.CHARGEBACK,
}
_DETAIL_FIELDS = 10


def parse(name: str, content: bytes) -> SettlementBatch:
    try:
        rows = [row for row in csv.reader(io.StringIO(content.decode("utf-8"))) if row]
    except UnicodeDecodeError:
        raise PortalChanged(f"settlement file {name}: not text") from None
    if not rows or rows[0][:2] != ["H", TITLE] or len(rows[0]) != 5 or rows[-1][0] != "T":
        raise PortalChanged(f"settlement file {name}: not a HealthPay24 settlement file")
    _, _, batch_id, business_day, deposit_day = rows[0]
    details = [_detail(name, row) for row in rows[1:-1]]
    try:
        count, net = int(rows[-1][1]), plain_money(rows[-1][2], "net amount").amount_cents
        batch = SettlementBatch(
            identifier=batch_id,
            status=SettlementStatus.SETTLED,
            period_start=day(business_day, "%Y%m%d", "business day"),
            period_end=day(business_day, "%Y%m%d", "business day"),
            payment_date=day(deposit_day, "%Y%m%d", "deposit day"),
            payment_amount=Money(amount_cents=net),
            details=details,
        )
    except (IndexError, ValueError):
        raise PortalChanged(f"settlement file {name}: the header or trailer changed") from None
    if count != len(details) or sum(d.amount.amount_cents for d in details) != net:
        raise PortalChanged(f"settlement file {name}: the details do not add up to the trailer")
    return batch


def _detail(name: str, row: list[str]) -> SettlementDetail:
    if row[0] != "D" or len(row) != _DETAIL_FIELDS:
        raise PortalChanged(f"settlement file {name}: a record the adapter does not know")
    _, at, kind, number, original, account, _brand, _last4, amount, memo = row
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise PortalChanged(f"settlement file {name}: a transaction time changed") from None
    return SettlementDetail(
        identifier=number,
        type=lookup(_TYPES, kind, f"settlement file {name}: a transaction type it lacks"),
        amount=plain_money(amount, "transaction amount"),
        date=moment.date(),
        account=account or None,
        reference=memo or None,
        reverses=original or None,
    )
