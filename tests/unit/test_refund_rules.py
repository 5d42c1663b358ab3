"""What a refund may be, decided before any portal work or from the portal's state: void
or refund, never above the net paid; the request's own checks; both vendors' rows."""

from __future__ import annotations

import argparse

import pytest

from models.errors import (
    CardNumberRefused,
    InvalidAmount,
    InvalidInput,
    PaymentNotRefundable,
    PortalChanged,
    RefundExceedsNet,
)
from models.money import Money
from models.refunds import (
    RefundablePayment,
    RefundKind,
    RefundOption,
    RefundReason,
    RefundRequest,
    plan_refund,
)
from portals.healthpay24 import parsing as healthpay24
from portals.patientco import parsing as patientco
from starters.cli.refund_commands import refund_request


def _state(option: RefundOption, net: int, paid: int = 10_000) -> RefundablePayment:
    return RefundablePayment(
        confirmation_number="PCO-1",
        amount_paid=Money(amount_cents=paid),
        net_paid=Money(amount_cents=net),
        option=option,
    )


def _cents(cents: int) -> Money:
    return Money(amount_cents=cents)


def test_unsettled_whole_payment_is_a_void() -> None:
    assert plan_refund(_state(RefundOption.VOID, 10_000), None) == (RefundKind.VOID, _cents(10_000))
    assert plan_refund(_state(RefundOption.VOID, 10_000), _cents(10_000))[0] is RefundKind.VOID


def test_unsettled_partial_amount_waits_for_the_settlement() -> None:
    with pytest.raises(PaymentNotRefundable, match="has not settled"):
        plan_refund(_state(RefundOption.VOID, 10_000), _cents(2_500))


def test_settled_payment_is_refunded_up_to_what_is_left() -> None:
    assert plan_refund(_state(RefundOption.REFUND, 4_000), _cents(4_000)) == (
        RefundKind.REFUND,
        _cents(4_000),
    )
    assert plan_refund(_state(RefundOption.REFUND, 4_000), None)[1] == _cents(4_000)
    with pytest.raises(RefundExceedsNet, match=r"\$40.00 of \$100.00"):
        plan_refund(_state(RefundOption.REFUND, 4_000), _cents(4_001))


def test_nothing_left_is_not_refundable() -> None:
    with pytest.raises(PaymentNotRefundable):
        plan_refund(_state(RefundOption.NONE, 0), None)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount_cents": 0}, InvalidAmount),
        ({"amount_cents": -5}, InvalidAmount),
        ({"confirmation_number": "PCO 1; drop"}, InvalidInput),
        ({"idempotency_key": "jane doe"}, InvalidInput),
        ({"idempotency_key": "4242424242424242"}, CardNumberRefused),
    ],
)
def test_the_request_refuses_bad_input(change: dict[str, object], error: type[Exception]) -> None:
    request = RefundRequest.model_validate(
        {"connection_id": "c1", "confirmation_number": "PCO-1", "idempotency_key": "k1"} | change
    )
    with pytest.raises(error):
        request.validate_for_refund()


def test_the_cli_builds_the_request_it_checks() -> None:
    args = argparse.Namespace(
        connection="c1", payment="HP24-ABC", amount="12.50", reason="duplicate",
        idempotency_key="key-1",
    )  # fmt: skip
    request = refund_request(args)
    assert (request.amount_cents, request.reason) == (1_250, RefundReason.DUPLICATE)
    with pytest.raises(InvalidInput, match="--amount"):
        refund_request(argparse.Namespace(**{**vars(args), "amount": "twelve"}))


def test_patientco_journal_rows_become_reversals() -> None:
    refund = patientco.reversal({
        "Posted": "12/01/2026 14:05 UTC", "Transaction ID": "PCR-AB12CD34EF (PCO-ZZ99YY88XX)",
        "Type": "Refund", "Amount": "-USD 4.00", "Memo": "BB-0123456789ABCDEF",
    })  # fmt: skip
    assert (refund.refund_id, refund.confirmation_number) == ("PCR-AB12CD34EF", "PCO-ZZ99YY88XX")
    assert (refund.kind, refund.amount, refund.reference) == (
        RefundKind.REFUND, _cents(400), "BB-0123456789ABCDEF",
    )  # fmt: skip
    void = patientco.reversal({
        "Posted": "12/01/2026 14:05 UTC", "Transaction ID": "PCO-ZZ99YY88XX", "Type": "Void",
        "Amount": "-USD 10.00", "Memo": "BB-1",
    })  # fmt: skip
    assert (void.kind, void.confirmation_number) == (RefundKind.VOID, "PCO-ZZ99YY88XX")
    assert isinstance(patientco.reversal_refusal(["The refund cannot exceed USD 4.00."]),
                      RefundExceedsNet)  # fmt: skip
    assert isinstance(patientco.reversal_refusal(["Something new"]), PortalChanged)


def test_healthpay24_activity_rows_become_reversals() -> None:
    refund = healthpay24.reversal({
        "Date": "1 Dec 2026 14:05 UTC", "Refund number": "RF24-AB12CD34EF", "Type": "Refund",
        "Original payment": "HP24-ZZ99YY88XX", "Amount": "USD 4.00", "Reason": "R02",
        "Refund note": "BB-0123456789ABCDEF",
    })  # fmt: skip
    assert refund.reason is RefundReason.OVERPAYMENT
    assert (refund.kind, refund.amount, refund.confirmation_number) == (
        RefundKind.REFUND, _cents(400), "HP24-ZZ99YY88XX",
    )  # fmt: skip
    refused = healthpay24.reversal_refusal([
        "The refund amount can't be more than the remaining refundable amount (USD 4.00)."
    ])  # fmt: skip
    assert isinstance(refused, RefundExceedsNet)
    settled = ["This payment has already settled and can no longer be voided. Submit a refund."]
    assert isinstance(healthpay24.reversal_refusal(settled), PaymentNotRefundable)
