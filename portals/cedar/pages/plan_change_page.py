"""Changing a plan: a new monthly payment and/or the card autopay charges."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.form_controls import check_the_one_valued
from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages, text_or_none
from portals.record_page import RecordPage


class PlanChangePage(RecordPage):
    STEP = "plan_change"
    PATH = "/plans/{}/change"
    NOT_FOUND = "Payment plan not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.installment = page.get_by_role("textbox", name="Monthly payment")
        self.methods = page.get_by_role("group", name="Pay with").get_by_role("radio")
        self.save_button = page.get_by_role("button", name="Save changes")
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

    async def choose_payment_method(self, token: str) -> bool:
        async with errors_mapped(self.STEP):
            return await check_the_one_valued(self.methods, token)

    async def save(self) -> Response | None:
        return await navigate_by(self.page, self.save_button.click, self.STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.STEP):
            return await alert_messages(self.alert)
