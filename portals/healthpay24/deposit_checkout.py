"""Paying an estimate's deposit on HealthPay24's one-page deposit form.

The form holds the processor's hosted fields (the saved method whose radio value is our
token is chosen inside the frame, which hands the page a token), the deposit note (our
client reference) and the authorization. What the portal answers becomes a Deposit or a
typed error; a submit whose answer is lost becomes ConfirmationMissing, for the caller to
look the deposit note up before anything is submitted again.
"""

from __future__ import annotations

from playwright.async_api import Page

from models.deposits import Deposit, DepositSubmission
from models.errors import (
    DepositNotDue,
    EstimateNotFound,
    InsufficientFunds,
    InvalidInput,
    PaymentDeclined,
    PortalChanged,
    UnknownPaymentMethod,
)
from portals.healthpay24 import parsing
from portals.healthpay24.pages.deposit_form_page import DepositFormPage
from portals.healthpay24.pages.deposit_page import DepositPage
from portals.healthpay24.pages.hosted_fields_frame import HostedFieldsFrame
from portals.healthpay24.sign_in import path_of, raise_if_signed_out
from portals.reconciliation import answer_may_be_lost
from portals.refusals import Refusal, refusal

_REFUSALS = (
    Refusal(("insufficient funds",), InsufficientFunds,
            "the processor declined the deposit: insufficient funds"),
    Refusal(("declined",), PaymentDeclined, "the processor declined the deposit"),
    Refusal(("couldn't use that payment method",), UnknownPaymentMethod,
            "the portal could not use the payment method"),
    Refusal(("deposit note",), InvalidInput,
            "the portal refused the deposit note (at most 120 characters)"),
)  # fmt: skip


class DepositCheckout:
    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url

    async def pay(self, submission: DepositSubmission) -> Deposit:
        form = await self._open(submission)
        await self._choose_method(form, submission.payment_method_token)
        await form.enter_note(submission.reference)
        await form.authorize_deposit()
        async with answer_may_be_lost(submission.reference, field="deposit note"):
            await form.submit()
        raise_if_signed_out(self._page, "deposit_submit")
        return await self._answer(form)

    async def _open(self, submission: DepositSubmission) -> DepositFormPage:
        form = DepositFormPage(self._page, self._base_url)
        response = await form.open(submission.estimate_id)
        raise_if_signed_out(self._page, "deposit")
        if await form.is_missing(response):
            raise EstimateNotFound(f"estimate {submission.estimate_id} is not in this login")
        not_due = await form.not_due_text()
        if not_due is not None:
            raise DepositNotDue(f"estimate {submission.estimate_id}: {not_due}")
        if not await form.is_shown():
            raise PortalChanged("deposit: the deposit form is not as expected")
        fields = await form.summary_fields()
        if not fields:
            raise PortalChanged("deposit: the deposit form shows no summary")
        # What the portal is about to charge must be what we read on the estimate.
        due = parsing.money(fields["Deposit due"], "deposit due")
        if fields["Estimate"] != submission.estimate_id or due != submission.amount:
            raise PortalChanged("deposit: the form shows another estimate or deposit amount")
        return form

    async def _choose_method(self, form: DepositFormPage, token: str) -> None:
        frame = HostedFieldsFrame(self._page)
        await frame.wait_until_loaded()
        if not await frame.choose_saved_method(token):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        await frame.use_payment_method()
        if await form.wait_for_chosen_method() is None:
            raise PortalChanged("deposit: the form did not accept the hosted fields' method")

    async def _answer(self, form: DepositFormPage) -> Deposit:
        path = path_of(self._page)
        if path.startswith(DepositPage.PATH_PREFIX):
            deposit_id = path.removeprefix(DepositPage.PATH_PREFIX)
            fields = await DepositPage(self._page, self._base_url).deposit_fields()
            if not fields:
                raise PortalChanged("deposit_submit: the deposit page has no details")
            return parsing.deposit(deposit_id, fields)
        alert = await form.alert_text()
        if alert is not None:
            raise refusal(alert, _REFUSALS, "deposit_submit: refused for an unknown reason")
        not_due = await form.not_due_text()
        if not_due is not None:
            raise DepositNotDue(f"deposit_submit: {not_due}")
        raise PortalChanged("deposit_submit: neither a deposit nor a refusal was shown")
