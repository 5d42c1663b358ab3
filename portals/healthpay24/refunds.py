"""Voids and refunds in the HealthPay24 portal: the payment's receipt says which one it
offers ("Void this payment" until the nightly settlement, "Request a refund" after), the
form takes a reason and a refund note (our reference), and payment activity finds the
reversal again by that note."""

from __future__ import annotations

from playwright.async_api import Page

from models.errors import ConfirmationMissing, InvalidInput, PaymentNotRefundable, PortalChanged
from models.refunds import Refund, RefundablePayment, RefundKind, RefundOption, RefundSubmission
from portals.healthpay24 import parsing
from portals.healthpay24.pages.receipt_page import ReceiptPage
from portals.healthpay24.pages.refund_activity_page import RefundActivityPage
from portals.healthpay24.pages.reversal_page import ReversalPage
from portals.healthpay24.sign_in import raise_if_signed_out
from portals.parsing_common import form_amount
from portals.reconciliation import answer_may_be_lost, only_match


class HealthPay24Refunds:
    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url

    async def find_refund(self, reference: str) -> Refund | None:
        activity = RefundActivityPage(self._page, self._base_url)
        # The results at the search form's own address: one navigation, not open + Search.
        await activity.open_searched(reference)
        raise_if_signed_out(self._page, "history")
        if not await activity.is_shown():
            raise PortalChanged("history: the payment activity page is not as expected")
        await activity.require_search_for(reference)
        if await activity.is_empty():
            return None
        rows = await activity.rows()
        if not rows:
            raise PortalChanged("history: neither refunds nor 'no refunds or voids' are shown")
        # The search finds notes *containing* the text: only an exact note is ours.
        matches = [row for row in rows if parsing.note(row["Refund note"]) == reference]
        row = only_match(matches, reference)
        return parsing.reversal(row) if row is not None else None

    async def refundable_payment(self, confirmation_number: str) -> RefundablePayment:
        receipt = await self._open_receipt(confirmation_number)
        facts = await receipt.receipt_fields()
        reversal = await receipt.reversal_fields()
        if not facts or not reversal:
            raise PortalChanged("receipt: the receipt does not show its refunds and voids")
        if await receipt.offers_void():
            option = RefundOption.VOID
        elif await receipt.offers_refund():
            option = RefundOption.REFUND
        else:
            option = RefundOption.NONE
        return RefundablePayment(
            confirmation_number=confirmation_number,
            amount_paid=parsing.money(facts["Amount paid"], "amount paid"),
            net_paid=parsing.money(reversal["Remaining refundable"], "remaining refundable"),
            option=option,
        )

    async def reverse(self, submission: RefundSubmission) -> Refund:
        void = submission.kind is RefundKind.VOID
        receipt = await self._open_receipt(submission.confirmation_number)
        if not await (receipt.offers_void() if void else receipt.offers_refund()):
            raise PaymentNotRefundable(
                f"HealthPay24 no longer offers a {submission.kind.value} of payment "
                f"{submission.confirmation_number}"
            )
        await (receipt.open_void() if void else receipt.open_refund())
        raise_if_signed_out(self._page, "refund")
        form = ReversalPage(self._page, void=void)
        if not await form.is_shown() or (not void and not await form.has_amount()):
            raise PortalChanged("refund: the void/refund form is not as expected")
        filled = await form.fill(
            reason_code=parsing.REASON_CODES[submission.reason],
            note=submission.reference,
            amount=None if void else form_amount(submission.amount.amount_cents),
        )
        if not filled:
            raise PortalChanged("refund: the form does not list the reason code")
        async with answer_may_be_lost(submission.reference, field="refund note"):
            await form.submit()
        raise_if_signed_out(self._page, "refund")
        if await form.is_shown():
            raise parsing.reversal_refusal(await form.error_messages())
        found = await self.find_refund(submission.reference)
        if found is None:
            # The form went away but payment activity has no reversal with our note yet.
            raise ConfirmationMissing(f"refund: no reversal with note {submission.reference}")
        return found

    async def _open_receipt(self, confirmation_number: str) -> ReceiptPage:
        receipt = ReceiptPage(self._page, self._base_url)
        await receipt.open(confirmation_number)
        raise_if_signed_out(self._page, "receipt")
        if await receipt.is_not_found():
            raise InvalidInput(f"no payment {confirmation_number} in this HealthPay24 login")
        if not await receipt.is_shown():
            raise PortalChanged("receipt: the receipt page is not as expected")
        return receipt
