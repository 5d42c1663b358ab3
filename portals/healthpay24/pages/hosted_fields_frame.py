"""The processor's hosted fields: an iframe on the processor's own origin inside checkout
step 2. Saved payment methods are radios whose value is the processor token."""

from __future__ import annotations

from playwright.async_api import Page

from portals.form_controls import check_the_one_valued
from portals.navigation import errors_mapped
from portals.page_reading import text_or_none

FRAME_TITLE = "Secure payment fields"


class HostedFieldsFrame:
    STEP = "hosted_fields"

    def __init__(self, page: Page) -> None:
        self.frame = page.frame_locator(f'iframe[title="{FRAME_TITLE}"]')
        self.methods = self.frame.get_by_role("group", name="Payment method").get_by_role("radio")
        self.use_button = self.frame.get_by_role("button", name="Use this payment method")
        self.alert = self.frame.get_by_role("alert")

    async def wait_until_loaded(self) -> None:
        async with errors_mapped(self.STEP):
            await self.use_button.wait_for(state="visible")

    async def choose_saved_method(self, token: str) -> bool:
        """Check the saved method whose value is this token; False if it is not offered."""
        async with errors_mapped(self.STEP):
            return await check_the_one_valued(self.methods, token)

    async def use_payment_method(self) -> None:
        async with errors_mapped(self.STEP):
            await self.use_button.click()

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            alerts = self.alert.filter(visible=True)
            return await text_or_none(alerts)
