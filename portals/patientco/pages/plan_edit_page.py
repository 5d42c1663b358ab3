"""Editing a plan: the installment amount and the method autopay drafts from."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages, text_or_none
from portals.record_page import RecordPage


class PlanEditPage(RecordPage):
    STEP = "plan_edit"
    PATH = "/plans/{}/edit"
    NOT_FOUND = "Payment plan not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.installment = page.get_by_label("Installment amount (USD)")
        self.method = page.get_by_label("Draft from payment method on file")
        self.save_button = page.get_by_role("button", name="Save plan")
        self.alert = page.get_by_role("alert")
        self.notice = page.get_by_role("status")

    async def is_form_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.save_button.is_visible()

    async def notice_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.notice)

    async def enter_installment(self, installment: str) -> None:
        async with errors_mapped(self.STEP):
            await self.installment.fill(installment)

    async def choose_method(self, token: str) -> bool:
        async with errors_mapped(self.STEP):
            options = await self.method.get_by_role("option").all()
            if token not in [await option.get_attribute("value") for option in options]:
                return False
            await self.method.select_option(value=token)
            return True

    async def save(self) -> Response | None:
        return await navigate_by(self.page, self.save_button.click, self.STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.STEP):
            return await alert_messages(self.alert)
