"""Checkout step 1 of 3: how much to pay, and the payment note."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages


class CheckoutAmountPage:
    STEP = "checkout"

    def __init__(self, page: Page) -> None:
        self.page = page
        # "Step 1 of 3: Payment amount" (2024), "Step 1 of 3 · Payment amount" (the redesign)
        self.step_heading = page.get_by_role(
            "heading", name=re.compile(r"^Step 1 of 3\W+Payment amount$")
        )
        self.amount_due = page.get_by_role("radio", name="Amount due")
        self.different_amount = page.get_by_role("radio", name="A different amount")
        self.amount = page.get_by_role("textbox", name="Payment amount (USD)")
        self.note = page.get_by_role("textbox", name="Payment note")
        self.continue_button = page.get_by_role("button", name="Continue to payment method")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return (
                await self.step_heading.is_visible()
                and await self.amount.is_visible()
                and await self.continue_button.is_visible()
            )

    async def enter_amount(self, amount: str) -> None:
        async with errors_mapped(self.STEP):
            await self.different_amount.check()
            await self.amount.fill(amount)

    async def enter_note(self, note: str) -> None:
        async with errors_mapped(self.STEP):
            await self.note.fill(note)

    async def continue_to_payment_method(self) -> Response | None:
        return await navigate_by(self.page, self.continue_button.click, self.STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.STEP):
            return await alert_messages(self.alert)
