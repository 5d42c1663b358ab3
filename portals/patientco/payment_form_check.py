"""Patientco's "Post payment" form inspected, never submitted: the ``PaymentFormInspector``
capability (``portals.base``) as a mixin of ``PatientcoAdapter``, for the connection canary.

The walk opens the statement, follows its "Post payment" link and checks every control
``submit_payment`` fills (the statement to apply to, a method on file, amount, reference)
and the "Post payment" button.
"""

from __future__ import annotations

from playwright.async_api import Page

from models.errors import AmountExceedsBalance, PortalChanged, StatementNotFound
from portals.form_inspection import require_controls
from portals.patientco.pages.post_payment_page import PostPaymentPage
from portals.patientco.pages.statement_page import StatementPage
from portals.patientco.sign_in import PatientcoSignIn, raise_if_signed_out


class PatientcoPaymentFormCheck:
    _page: Page
    _base_url: str
    _console: PatientcoSignIn

    async def inspect_payment_form(self, statement_id: str) -> None:
        detail = StatementPage(self._page, self._base_url)
        response = await detail.open(statement_id)
        self._signed_in("pay_form", f"/statements/{statement_id}")
        if await detail.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this Patientco console")
        if await detail.heading_text() != f"Statement {statement_id}":
            raise PortalChanged("pay_form: the page heading does not name the statement")
        if not await detail.can_post_payment():
            raise AmountExceedsBalance("the statement has no open balance to pay")
        await detail.open_post_payment()
        self._signed_in("pay_form", None)
        form = PostPaymentPage(self._page)
        if not await form.heading.is_visible():
            raise PortalChanged("pay_form: the post-payment form is not as expected")
        await require_controls(
            form.STEP,
            visible={
                "statement to apply to": form.apply_to,
                "payment method choice": form.method,
                "amount field": form.amount,
                "reference field": form.reference,
                "submit button": form.submit_button,
            },
        )

    def _signed_in(self, step: str, expected_path: str | None) -> None:
        raise_if_signed_out(self._page, self._console.console_origin, step, expected_path)
