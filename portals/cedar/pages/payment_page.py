"""The pay form: the balance due, amount, saved card, reference memo, submit."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.form_controls import check_the_one_valued
from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages, text_or_none
from portals.record_page import RecordPage

# "Balance due: $X" above the form, or the redesign's "Balance due $X" beside it.
BALANCE_DUE = re.compile(r"^balance due\b", re.IGNORECASE)


class PaymentPage(RecordPage):
    STEP = "pay_form"
    PATH = "/statements/{}/pay"
    NOT_FOUND = "Statement not found"
    SUBMIT_STEP = "pay_submit"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Pay statement")
        self.balance_due = page.get_by_text(BALANCE_DUE)
        self.full_balance = page.get_by_role("radio", name="Pay full balance")
        self.other_amount = page.get_by_role("radio", name="Pay another amount")
        self.amount = page.get_by_role("textbox", name="Amount", exact=True)
        self.methods = page.get_by_role("group", name="Payment method").get_by_role("radio")
        self.reference = page.get_by_label("Reference (optional)")
        self.submit_button = page.get_by_role("button", name="Submit payment")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.submit_button.is_visible()

    async def balance_due_text(self) -> str | None:
        """The balance due as the form shows it ("Balance due: $1,234.50"), None if it does not."""
        async with errors_mapped(self.STEP):
            return await text_or_none(self.balance_due)

    async def enter_amount(self, amount: str) -> None:
        async with errors_mapped(self.STEP):
            await self.other_amount.check()
            await self.amount.fill(amount)

    async def choose_payment_method(self, token: str) -> bool:
        """Check the saved card whose value is this token; False if none is on file."""
        async with errors_mapped(self.STEP):
            return await check_the_one_valued(self.methods, token)

    async def enter_reference(self, reference: str) -> None:
        async with errors_mapped(self.STEP):
            await self.reference.fill(reference)

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.submit_button.click, self.SUBMIT_STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.SUBMIT_STEP):
            return await alert_messages(self.alert)
