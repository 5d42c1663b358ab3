"""The refund activities replaced by one in-memory payment, under the real activity names.

Like ``fake_portal``: the workflows cannot tell the difference. The fake keeps one payment
(paid, refunded, settled or not) and its reversals by reference, and behaves as the real
``submit_refund`` does: look the reference up, re-read what is left, then submit.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from temporalio import activity

from activities.refunds import check_same_refund, check_still_allowed
from models.errors import ConfirmationMissing, NotOffered
from models.events import Event
from models.money import Money
from models.offerings import OfferCheck
from models.refunds import (
    PaymentLookup,
    Refund,
    RefundablePayment,
    RefundKind,
    RefundOption,
    SubmitRefundInput,
    SubmittedRefund,
)


class FakeRefunds:
    def __init__(self) -> None:
        self.paid_cents = 10_000
        self.settled = True
        self.offered = True
        self.ledger: dict[str, Refund] = {}  # reference -> the reversal the portal holds
        self.lost_confirmations = 0  # the next N submits record, then the answer is lost
        # While set and not released, a submit waits (after the lookup) for the release.
        self.hold_submits: asyncio.Event | None = None
        self.calls: Counter[str] = Counter()
        self.events: list[Event] = []
        self._ids = (f"RF-{n:04d}" for n in itertools.count(1))

    def activities(self) -> Sequence[Callable[..., Any]]:
        return (self.read_refundable_payment, self.submit_refund, self.check_offered,
                self.raise_event)  # fmt: skip

    @property
    def refunded_cents(self) -> int:
        return sum(r.amount.amount_cents for r in self.ledger.values())

    def state(self, confirmation_number: str = "PAY-1") -> RefundablePayment:
        net = self.paid_cents - self.refunded_cents
        voided = any(r.kind is RefundKind.VOID for r in self.ledger.values())
        if voided or net <= 0:
            option = RefundOption.NONE
        elif not self.settled:
            option = RefundOption.VOID if not self.ledger else RefundOption.NONE
        else:
            option = RefundOption.REFUND
        return RefundablePayment(
            confirmation_number=confirmation_number,
            amount_paid=Money(amount_cents=self.paid_cents),
            net_paid=Money(amount_cents=0 if voided else net),
            option=option,
        )

    @activity.defn(name="read_refundable_payment")
    async def read_refundable_payment(self, lookup: PaymentLookup) -> RefundablePayment:
        self.calls["read_refundable_payment"] += 1
        return self.state(lookup.confirmation_number)

    @activity.defn(name="submit_refund")
    async def submit_refund(self, request: SubmitRefundInput) -> SubmittedRefund:
        self.calls["submit_refund"] += 1
        wanted = request.submission
        found = self.ledger.get(wanted.reference)
        if found is None:
            if self.hold_submits is not None:
                await self.hold_submits.wait()
            check_still_allowed(self.state(wanted.confirmation_number), wanted)
            refund = Refund(
                refund_id=next(self._ids),
                confirmation_number=wanted.confirmation_number,
                kind=wanted.kind,
                amount=wanted.amount,
                reference=wanted.reference,
                reason=wanted.reason,
            )
            self.ledger[wanted.reference] = refund
            if self.lost_confirmations > 0:
                self.lost_confirmations -= 1
                raise ConfirmationMissing("submitted; no answer arrived")
        else:
            check_same_refund(found, wanted)
            refund = found
        return SubmittedRefund(
            refund=refund,
            already_refunded=found is not None,
            net_paid_after=self.state(wanted.confirmation_number).net_paid,
        )

    @activity.defn(name="check_offered")
    async def check_offered(self, check: OfferCheck) -> None:
        self.calls["check_offered"] += 1
        if not self.offered:
            raise NotOffered(f"cedar does not offer {check.process} (offered on: patientco)")

    @activity.defn(name="raise_event")
    async def raise_event(self, event: Event) -> bool:
        self.events.append(event)
        return True
