"""Voids and refunds in the Patientco console: the payment's transaction page says which one
it offers (its "Void payment" / "Issue refund" actions), the form takes a reason code and a
memo (our reference), and the Transactions journal finds the reversal again by that memo."""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import Page, Response

from models.errors import ConfirmationMissing, InvalidInput, PaymentNotRefundable, PortalChanged
from models.refunds import Refund, RefundablePayment, RefundKind, RefundOption, RefundSubmission
from portals.patientco import parsing
from portals.patientco.pages.payment_page import PaymentPage
from portals.patientco.pages.reversal_page import ReversalPage
from portals.patientco.pages.transactions_page import TransactionsPage
from portals.reconciliation import answer_may_be_lost, only_match

CheckSignedIn = Callable[[Response | None, str, str | None], Response | None]


class PatientcoRefunds:
    def __init__(self, page: Page, base_url: str, check_signed_in: CheckSignedIn) -> None:
        self._page = page
        self._base_url = base_url
        self._check = check_signed_in

    async def find_refund(self, reference: str) -> Refund | None:
        journal = TransactionsPage(self._page, self._base_url)
        # The results at the search form's own address: one navigation, not open + Search.
        self._check(await journal.open_searched(reference), "transactions", "/transactions")
        if not await journal.is_shown():
            raise PortalChanged("transactions: the transactions page is not as expected")
        if not await journal.can_search():
            raise PortalChanged("transactions: the transactions search has no search button")
        await journal.require_search_for(reference)
        if await journal.is_empty():
            return None
        rows = await journal.rows()
        if not rows:
            raise PortalChanged("transactions: neither rows nor 'No transactions match' shown")
        # The search matches any memo containing the text: keep exact reversals only.
        matches = [r for r in rows if parsing.is_reversal_row(r) and r["Memo"] == reference]
        row = only_match(matches, reference)
        return parsing.reversal(row) if row is not None else None

    async def refundable_payment(self, confirmation_number: str) -> RefundablePayment:
        payment = await self._open_payment(confirmation_number, "confirmation")
        fields = await payment.detail_fields()
        if "Net paid" not in fields:
            raise PortalChanged("confirmation: the transaction page does not show the net paid")
        if await payment.offers_void():
            option = RefundOption.VOID
        elif await payment.offers_refund():
            option = RefundOption.REFUND
        else:
            option = RefundOption.NONE
        return RefundablePayment(
            confirmation_number=confirmation_number,
            amount_paid=parsing.money(fields["Amount"], "payment amount"),
            net_paid=parsing.money(fields["Net paid"], "net paid"),
            option=option,
        )

    async def reverse(self, submission: RefundSubmission) -> Refund:
        """Void or refund, as the submission says; the journal's row is the answer."""
        kind = submission.kind.value
        payment = await self._open_payment(submission.confirmation_number, kind)
        offered = (
            await payment.offers_void()
            if submission.kind is RefundKind.VOID
            else await payment.offers_refund()
        )
        if not offered:
            raise PaymentNotRefundable(
                f"Patientco no longer offers a {kind} of payment {submission.confirmation_number}"
            )
        opening = payment.open_void if submission.kind is RefundKind.VOID else payment.open_refund
        self._check(await opening(), kind, None)
        form = ReversalPage(self._page, kind)
        if not await form.is_shown():
            raise PortalChanged(f"{kind}: the {kind} form is not as expected")
        is_refund = submission.kind is RefundKind.REFUND
        if is_refund and not await form.has_amount():
            raise PortalChanged("refund: the refund form has no amount field")
        filled = await form.fill(
            reason_code=parsing.REASON_CODES[submission.reason],
            memo=submission.reference,
            amount=parsing.form_amount(submission.amount.amount_cents) if is_refund else None,
        )
        if not filled:
            raise PortalChanged(f"{kind}: the form does not list the reason code")
        async with answer_may_be_lost(submission.reference, field="memo"):
            response = await form.submit()
        self._check(response, kind, None)
        if await form.is_shown():
            raise parsing.reversal_refusal(await form.error_messages())
        found = await self.find_refund(submission.reference)
        if found is None:
            # The form went away but the journal has no reversal with our memo: look again.
            raise ConfirmationMissing(f"{kind}: no reversal with memo {submission.reference} yet")
        return found

    async def _open_payment(self, confirmation_number: str, step: str) -> PaymentPage:
        payment = PaymentPage(self._page, self._base_url)
        response = self._check(await payment.open(confirmation_number), step, None)
        if await payment.is_missing(response):
            raise InvalidInput(f"no transaction {confirmation_number} in this Patientco console")
        if not await payment.is_shown():
            raise PortalChanged(f"{step}: the transaction page is not as expected")
        return payment
