"""The Refunder contract where the vendor refunds (Patientco, HealthPay24): a fresh payment
offers a void of all of it, the void is found again by our reference and agrees with the
sandbox's ledger, and what the portal no longer offers is refused typed, nothing moved.

(Refunds after settlement need the sandbox clock moved past the cutoff, which also ends
this page's session: they are proven end to end in tests/e2e/test_refunds.py.)
"""

from __future__ import annotations

import uuid

import pytest

from models.connections import PortalName
from models.errors import PaymentNotRefundable
from models.money import Money
from models.payments import PaymentSubmission
from models.refunds import RefundKind, RefundOption, RefundReason, RefundSubmission
from portals.base import Refunder
from sandbox.common.layout import LayoutName
from tests.contract.conftest import SignedIn

# On both layouts of each sandbox: the redesign must void and find as the original does.
pytestmark = [
    pytest.mark.parametrize(
        "portal_name", [PortalName.PATIENTCO, PortalName.HEALTHPAY24], indirect=True
    ),
    pytest.mark.parametrize("layout", [LayoutName.V1, LayoutName.V2], ids=lambda name: str(name)),
]


async def test_a_fresh_payment_is_voided_whole_and_found_by_reference(
    signed_in: SignedIn,
) -> None:
    adapter, admin = signed_in.adapter, signed_in.admin
    assert isinstance(adapter, Refunder)
    statement = next(s for s in signed_in.user.statements if s.balance_cents >= 1500)
    card = next(
        m
        for m in admin.statement(statement.statement_id).payment_methods
        if m.kind == "card" and m.outcome == "approved"
    )
    paid = (
        await adapter.submit_payment(
            PaymentSubmission(
                statement_id=statement.statement_id,
                amount=Money(amount_cents=1500),
                payment_method_token=card.token,
                reference=f"BB-{uuid.uuid4().hex[:16].upper()}",
            )
        )
    ).payment
    number = paid.confirmation_number
    state = await adapter.refundable_payment(number)
    assert (state.option, state.amount_paid, state.net_paid) == (
        RefundOption.VOID,
        Money(amount_cents=1500),
        Money(amount_cents=1500),
    )
    reference = f"BB-{uuid.uuid4().hex[:16].upper()}"
    assert await adapter.find_refund(reference) is None

    partial = RefundSubmission(
        confirmation_number=number,
        kind=RefundKind.REFUND,
        amount=Money(amount_cents=500),
        reason=RefundReason.PATIENT_REQUEST,
        reference=reference,
    )
    with pytest.raises(PaymentNotRefundable):  # not settled: the portal offers a void only
        await adapter.refund_payment(partial)
    assert admin.refunds(reference) == []

    void = partial.model_copy(update={"kind": RefundKind.VOID, "amount": state.net_paid})
    voided = await adapter.void_payment(void)

    assert (voided.kind, voided.amount, voided.reference, voided.confirmation_number) == (
        RefundKind.VOID,
        Money(amount_cents=1500),
        reference,
        number,
    )
    [recorded] = admin.refunds(reference)
    assert (recorded.kind, recorded.amount_cents, recorded.transaction_id) == ("void", 1500, number)
    assert await adapter.find_refund(reference) == voided
    after = await adapter.refundable_payment(number)
    assert (after.option, after.net_paid) == (RefundOption.NONE, Money(amount_cents=0))
    statement_after = await adapter.get_statement(statement.statement_id)
    assert statement_after.balance.amount_cents == statement.balance_cents  # given back
