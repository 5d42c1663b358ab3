"""Changing a payment plan: a new monthly installment and/or the saved method autopay
drafts from."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.form_controls import check_the_one_valued
from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages
from portals.record_page import RecordPage


class PlanChangePage(RecordPage):
    STEP = "plans"
    PATH = "/portal/plans/{}/change"
    NOT_FOUND = "Payment plan not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.installment = page.get_by_role("textbox", name="Monthly installment (USD)")
        self.methods = page.get_by_role("group", name="Autopay from").get_by_role("radio")
        self.save_button = page.get_by_role("button", name="Save changes")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.save_button.is_visible() and await self.installment.is_visible()

    async def enter_installment(self, amount: str) -> None:
        async with errors_mapped(self.STEP):
            await self.installment.fill(amount)

    async def choose_method(self, token: str) -> bool:
        """False, and the current method kept, when no saved method has this token."""
        async with errors_mapped(self.STEP):
            return await check_the_one_valued(self.methods, token)

    async def save(self) -> Response | None:
        return await navigate_by(self.page, self.save_button.click, self.STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.STEP):
            return await alert_messages(self.alert)
