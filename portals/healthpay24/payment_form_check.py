"""HealthPay24's checkout walked up to its last step, never submitted: the
``PaymentFormInspector`` capability (``portals.base``) for the connection canary.

Steps 1 and 2 only record choices on the portal's checkout (amount, then the method the
hosted fields hand over); money moves on step 3's "Submit payment" alone. So the walk goes
through both with the amount due and the first saved method, and on the review step checks
the summary, the authorization box and the submit button, then leaves the checkout
abandoned, as a patient who closes the tab does.
"""

from __future__ import annotations

from playwright.async_api import Page

from models.errors import PortalChanged, StatementNotFound
from portals.form_inspection import require_controls
from portals.healthpay24.pages.checkout_amount_page import CheckoutAmountPage
from portals.healthpay24.pages.checkout_method_page import CheckoutMethodPage
from portals.healthpay24.pages.checkout_review_page import CheckoutReviewPage
from portals.healthpay24.pages.hosted_fields_frame import HostedFieldsFrame
from portals.healthpay24.pages.statement_page import StatementPage
from portals.healthpay24.sign_in import raise_if_signed_out
from portals.navigation import errors_mapped


class HealthPay24PaymentFormCheck:
    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url

    async def inspect(self, statement_id: str) -> None:
        await self._start(statement_id)
        await self._amount_step()
        await self._method_step()
        await self._review_step()

    async def _start(self, statement_id: str) -> None:
        detail = StatementPage(self._page, self._base_url)
        response = await detail.open(statement_id)
        raise_if_signed_out(self._page, "statement")
        if await detail.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this HealthPay24 login")
        if not await detail.can_pay():
            raise PortalChanged("statement: an open statement shows no 'Pay now'")
        await detail.start_payment()
        raise_if_signed_out(self._page, "checkout")

    async def _amount_step(self) -> None:
        amount = CheckoutAmountPage(self._page)
        if not await amount.step_heading.is_visible():
            raise PortalChanged("checkout: the payment amount step is not as expected")
        await require_controls(
            amount.STEP,
            visible={
                "amount field": amount.amount,
                "payment note field": amount.note,
                "continue button": amount.continue_button,
            },
            present={"amount due choice": amount.amount_due},
        )
        async with errors_mapped(amount.STEP):
            await amount.amount_due.check()
        await amount.continue_to_payment_method()
        raise_if_signed_out(self._page, "checkout")
        if not await CheckoutMethodPage(self._page).is_shown():
            raise PortalChanged("checkout: the payment method step did not follow the amount")

    async def _method_step(self) -> None:
        frame = HostedFieldsFrame(self._page)
        await frame.wait_until_loaded()
        async with errors_mapped(frame.STEP):
            token = (
                await frame.methods.first.get_attribute("value")
                if (await frame.methods.count())
                else None
            )
        if not token:
            raise PortalChanged("hosted_fields: the form has no payment method choice")
        await frame.choose_saved_method(token)
        await frame.use_payment_method()
        method = CheckoutMethodPage(self._page)
        if await method.wait_for_chosen_method() is None:
            raise PortalChanged("checkout: the page did not accept the hosted fields' method")
        await method.review()
        raise_if_signed_out(self._page, "checkout")

    async def _review_step(self) -> None:
        review = CheckoutReviewPage(self._page)
        if not await review.step_heading.is_visible():
            raise PortalChanged("checkout: the review step is not as expected")
        await require_controls(
            review.STEP,
            visible={
                "payment summary": review.summary,
                "submit button": review.submit_button,
            },
            present={"authorization box": review.authorize},
        )
