"""Checkout step 3 of 3: the payment summary, the authorization box and "Submit payment"."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import (
    read_definitions_if_shown,
    text_or_none,
)

SUMMARY_TERMS = ("Statement", "Payment amount", "Payment method", "Payment note")


class CheckoutReviewPage:
    STEP = "checkout"
    SUBMIT_STEP = "pay_submit"

    def __init__(self, page: Page) -> None:
        self.page = page
        # "Step 3 of 3: Review and submit" (2024), "Step 3 of 3 · Review and pay" (the redesign)
        self.step_heading = page.get_by_role(
            "heading", name=re.compile(r"^Step 3 of 3\W+Review and (submit|pay)$")
        )
        self.summary = page.get_by_role("region", name="Payment summary")
        self.authorize = page.get_by_role("checkbox", name="I authorize this one-time payment")
        self.submit_button = page.get_by_role("button", name="Submit payment")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.step_heading.is_visible() and await self.submit_button.is_visible()

    async def summary_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.summary, SUMMARY_TERMS, "payment summary")

    async def authorize_payment(self) -> None:
        async with errors_mapped(self.STEP):
            await self.authorize.check()

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.submit_button.click, self.SUBMIT_STEP)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.alert)
