"""The "Post payment" form: apply to a statement, a method on file, amount, reference."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages

# "Post payment · <guarantor>", or "Post a payment" since the redesign.
HEADING = re.compile(r"^post (a )?payment", re.IGNORECASE)


class PostPaymentPage:
    STEP = "pay_form"
    SUBMIT_STEP = "pay_submit"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name=HEADING)
        self.apply_to = page.get_by_label("Apply payment to")
        self.method = page.get_by_label("Payment method on file")
        self.amount = page.get_by_label("Amount (USD)")
        self.reference = page.get_by_label("Reference", exact=True)
        self.submit_button = page.get_by_role("button", name="Post payment")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.amount.is_visible()

    async def has_submit_button(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.submit_button.is_visible()

    async def apply_to_statement(self, statement_id: str) -> bool:
        """Select the statement; False if the form does not offer it (no open balance)."""
        return await self._select(self.apply_to, statement_id)

    async def choose_method(self, token: str) -> bool:
        """Select the method on file whose value is this token; False if none is."""
        return await self._select(self.method, token)

    async def enter_amount(self, amount: str) -> None:
        async with errors_mapped(self.STEP):
            await self.amount.fill(amount)

    async def enter_reference(self, reference: str) -> None:
        async with errors_mapped(self.STEP):
            await self.reference.fill(reference)

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.submit_button.click, self.SUBMIT_STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.SUBMIT_STEP):
            return await alert_messages(self.alert)

    async def _select(self, select: Locator, value: str) -> bool:
        async with errors_mapped(self.STEP):
            options = await select.get_by_role("option").all()
            values = [await option.get_attribute("value") for option in options]
            if value not in values:
                return False
            await select.select_option(value=value)
            return True
