"""Cedar's pay form inspected, never submitted: the ``PaymentFormInspector`` capability
(``portals.base``) as a mixin of ``CedarAdapter``, for the connection canary.

Cedar pays on one form, so the walk opens it and checks every control ``submit_payment``
reads or fills (the balance due, amount, a card on file, the reference) and its "Submit
payment" button.
"""

from __future__ import annotations

from playwright.async_api import Page

from models.errors import PortalChanged, StatementNotFound
from portals.cedar.pages.payment_page import PaymentPage
from portals.cedar.sign_in import raise_if_signed_out
from portals.form_inspection import require_controls


class CedarPaymentFormCheck:
    _page: Page
    _base_url: str

    async def inspect_payment_form(self, statement_id: str) -> None:
        form = PaymentPage(self._page, self._base_url)
        response = await form.open(statement_id)
        raise_if_signed_out(self._page, form.STEP)
        if await form.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this Cedar account")
        if not await form.heading.is_visible():
            raise PortalChanged("pay_form: the payment form is not as expected")
        await require_controls(
            form.STEP,
            visible={
                "balance due": form.balance_due,
                "amount field": form.amount,
                "reference field": form.reference,
                "submit button": form.submit_button,
            },
            present={"payment method choice": form.methods, "other amount": form.other_amount},
        )
