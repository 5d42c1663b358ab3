"""Checkout step 2 of 3: the payment method, chosen inside the processor's hosted fields; the
page itself only shows which method the frame handed it and then allows the review."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import text_or_none


class CheckoutMethodPage:
    STEP = "checkout"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.step_heading = page.get_by_role(
            "heading", name=re.compile(r"^Step 2 of 3\W+Payment method$")
        )
        self.chosen_method = page.get_by_role("status").filter(has_text=re.compile("^Paying with "))
        self.review_button = page.get_by_role("button", name="Review payment")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.step_heading.is_visible() and await self.review_button.is_visible()

    async def wait_for_chosen_method(self) -> str | None:
        """ "Paying with Visa ending in 4242" once the frame handed over a method; None if the
        review button did not become usable with it."""
        async with errors_mapped(self.STEP):
            # The page shows the method and enables the button in one step, so once the text
            # is there the button must be enabled.
            await self.chosen_method.wait_for(state="visible")
            if not await self.review_button.is_enabled():
                return None
            return (await self.chosen_method.inner_text()).strip()

    async def review(self) -> Response | None:
        return await navigate_by(self.page, self.review_button.click, self.STEP)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.alert)
