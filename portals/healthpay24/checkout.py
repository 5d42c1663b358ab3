"""Paying a statement through HealthPay24's three-step checkout.

Step 1 takes the amount and the payment note (our client reference); step 2 holds the
processor's hosted fields, an iframe on another origin, where the saved method whose radio
value is our token is chosen and handed to the page; step 3 reviews, authorizes and submits.
The amount is held against the statement page's "Amount due" before step 1 (nothing typed
yet). What the portal answers becomes a PaymentConfirmation (with the receipt's remaining
balance, where shown) or a typed error; a submit whose answer is lost becomes
ConfirmationMissing, for the caller to reconcile by payment note.
"""

from __future__ import annotations

from playwright.async_api import Page

from models.errors import (
    AmountExceedsBalance,
    InsufficientFunds,
    InvalidAmount,
    InvalidInput,
    PaymentDeclined,
    PortalChanged,
    UnknownPaymentMethod,
)
from models.money import Money
from models.payments import PaymentConfirmation, PaymentSubmission, refuse_over_balance
from portals.healthpay24 import parsing
from portals.healthpay24.pages.checkout_amount_page import CheckoutAmountPage
from portals.healthpay24.pages.checkout_method_page import CheckoutMethodPage
from portals.healthpay24.pages.checkout_review_page import CheckoutReviewPage
from portals.healthpay24.pages.hosted_fields_frame import HostedFieldsFrame
from portals.healthpay24.pages.receipt_page import BALANCE_AFTER_TERMS, ReceiptPage
from portals.healthpay24.pages.statement_page import StatementPage
from portals.healthpay24.sign_in import path_of, raise_if_signed_out
from portals.reconciliation import answer_may_be_lost
from portals.refusals import Refusal, refusal

_AMOUNT_REFUSALS = (
    Refusal(("more than the amount due",), AmountExceedsBalance,
            "the amount is more than the statement's amount due"),
    Refusal(("payment note",), InvalidInput,
            "the portal refused the payment note (at most 120 characters)"),
    Refusal(("at least",), InvalidAmount, "the portal refused the amount"),
    Refusal(("enter a payment amount",), InvalidAmount, "the portal refused the amount"),
)  # fmt: skip
_METHOD_REFUSALS = (
    Refusal(("insufficient funds",), InsufficientFunds,
            "the processor declined the payment: insufficient funds"),
    Refusal(("declined",), PaymentDeclined, "the processor declined the payment"),
    Refusal(("couldn't use that payment method",), UnknownPaymentMethod,
            "the portal could not use the payment method"),
)  # fmt: skip


class Checkout:
    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url

    async def pay(
        self, submission: PaymentSubmission, statement: StatementPage
    ) -> PaymentConfirmation:
        """From the statement's page (opened and checked by the adapter) to the receipt."""
        await self._start(statement, submission)
        await self._enter_amount(submission)
        await self._choose_method(submission.payment_method_token)
        return await self._review_and_submit(submission)

    async def _start(self, statement: StatementPage, submission: PaymentSubmission) -> None:
        # The balance is checked on the page the payment starts from anyway (no extra page
        # load), before anything is typed into the checkout.
        fields = await statement.summary_fields()
        if not fields:
            raise PortalChanged("statement: the statement summary (amount due) is not shown")
        due = parsing.money(fields["Amount due"], "amount due")
        refuse_over_balance(submission.amount, due, submission.statement_id)
        if not await statement.can_pay():
            if due.amount_cents > 0:
                raise PortalChanged("statement: an amount is due but 'Pay now' is not offered")
            raise AmountExceedsBalance("the statement is paid in full: nothing is due")
        await statement.start_payment()
        raise_if_signed_out(self._page, "checkout")

    async def _enter_amount(self, submission: PaymentSubmission) -> None:
        amount = CheckoutAmountPage(self._page)
        if not await amount.is_shown():
            raise PortalChanged("checkout: the payment amount step is not as expected")
        await amount.enter_amount(parsing.form_amount(submission.amount.amount_cents))
        await amount.enter_note(submission.reference)
        await amount.continue_to_payment_method()
        raise_if_signed_out(self._page, "checkout")
        if await CheckoutMethodPage(self._page).is_shown():
            return
        errors = await amount.error_messages()
        if errors:
            raise _amount_refusal(errors)
        raise PortalChanged("checkout: the payment method step did not follow the amount")

    async def _choose_method(self, token: str) -> None:
        frame = HostedFieldsFrame(self._page)
        await frame.wait_until_loaded()
        if not await frame.choose_saved_method(token):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        await frame.use_payment_method()
        method = CheckoutMethodPage(self._page)
        chosen = await method.wait_for_chosen_method()
        if chosen is None:
            raise PortalChanged("checkout: the page did not accept the hosted fields' method")
        await method.review()
        raise_if_signed_out(self._page, "checkout")

    async def _review_and_submit(self, submission: PaymentSubmission) -> PaymentConfirmation:
        review = CheckoutReviewPage(self._page)
        if not await review.is_shown():
            raise PortalChanged("checkout: the review step is not as expected")
        await _check_summary(review, submission)
        await review.authorize_payment()
        async with answer_may_be_lost(submission.reference, field="payment note"):
            await review.submit()
        raise_if_signed_out(self._page, "pay_submit")
        receipt = ReceiptPage(self._page, self._base_url)
        if path_of(self._page).startswith(ReceiptPage.PATH_PREFIX) and await receipt.is_shown():
            fields = await receipt.receipt_fields()
            if not fields:
                raise PortalChanged("pay_submit: the receipt has no payment details")
            payment = parsing.payment(
                fields, confirmation="Confirmation number", amount="Amount paid"
            )
            return PaymentConfirmation(payment=payment, balance_after=_balance_after(fields))
        raise await self._submit_refusal()

    async def _submit_refusal(self) -> Exception:
        method = CheckoutMethodPage(self._page)
        if await method.is_shown():
            return _method_refusal(await method.alert_text())
        amount = CheckoutAmountPage(self._page)
        if await amount.is_shown():
            return _amount_refusal(await amount.error_messages())
        alert = await CheckoutReviewPage(self._page).alert_text()
        if alert is not None and "authorize" in alert.lower():
            return PortalChanged("pay_submit: the portal did not take the authorization")
        return PortalChanged("pay_submit: neither a receipt nor a refusal was shown")


async def _check_summary(review: CheckoutReviewPage, submission: PaymentSubmission) -> None:
    """What the portal is about to charge must be what we asked for, before the submit."""
    fields = await review.summary_fields()
    if not fields:
        raise PortalChanged("checkout: the review step shows no payment summary")
    amount = parsing.money(fields["Payment amount"], "payment amount")
    if fields["Statement"] != submission.statement_id or amount != submission.amount:
        raise PortalChanged("checkout: the review step shows another statement or amount")
    if parsing.note(fields["Payment note"]) != submission.reference.strip():
        raise PortalChanged("checkout: the review step shows another payment note")


def _balance_after(fields: dict[str, str]) -> Money | None:
    """The statement's balance after this payment, where the receipt shows it; None leaves the
    caller to read the statement."""
    for term in BALANCE_AFTER_TERMS:
        if term in fields:
            return parsing.money(fields[term], "remaining balance")
    return None


def _amount_refusal(errors: list[str]) -> Exception:
    return refusal(
        errors, _AMOUNT_REFUSALS, "checkout: the portal refused the amount for an unknown reason"
    )


def _method_refusal(alert: str | None) -> Exception:
    return refusal(
        alert, _METHOD_REFUSALS,
        "pay_submit: the portal refused the payment method for an unknown reason",
    )  # fmt: skip
