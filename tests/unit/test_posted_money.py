"""What reconciliation expects to settle, read from the audit log's lines."""

from __future__ import annotations

import json

from activities.reconciliation import posted_money


def _line(action: str, **details: object) -> bytes:
    entry = {"action": action, "at": "2026-12-02T10:00:00Z", "details": details}
    return json.dumps({**entry, "details": {"connection_id": "c1", **details}}).encode()


def test_refunds_settle_under_their_own_id_and_voided_payments_not_at_all() -> None:
    lines = [
        _line("payment.posted", confirmation_number="HP-1", amount_cents=5000),
        _line("payment.posted", confirmation_number="HP-2", amount_cents=3000),
        _line("payment.posted", confirmation_number="HP-2", amount_cents=3000),  # a rerun
        _line("payment.voided", confirmation_number="HP-2", refund_id="RV-9", amount_cents=3000),
        _line("refund.posted", confirmation_number="HP-1", refund_id="RF-7", amount_cents=1200),
        _line("refund.failed", confirmation_number="HP-1", requested_cents=99),
        _line("payment.charged_back", chargeback_number="CB-1"),
        json.dumps(
            {
                "action": "payment.posted",
                "details": {
                    "connection_id": "other",
                    "confirmation_number": "X",
                    "amount_cents": 1,
                },
                "at": "2026-12-02",
            }
        ).encode(),
        b'{"cut short',
    ]

    ledger = posted_money(lines, "c1")

    assert [(m.action, m.number, m.amount_cents) for m in ledger.money] == [
        ("payment.posted", "HP-1", 5000),
        ("refund.posted", "RF-7", 1200),
    ]
    assert ledger.known_chargebacks == ["CB-1"]
