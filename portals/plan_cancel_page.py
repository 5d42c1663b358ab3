"""Cancelling a plan (Cedar and Patientco show the same screen): one confirming button, or a
notice when the plan has already ended."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import text_or_none
from portals.record_page import RecordPage


class PlanCancelPage(RecordPage):
    STEP = "plan_cancel"
    PATH = "/plans/{}/cancel"
    NOT_FOUND = "Payment plan not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.cancel_button = page.get_by_role("button", name="Cancel plan")
        self.notice = page.get_by_role("status")

    async def can_cancel(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.cancel_button.is_visible()

    async def notice_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.notice)

    async def cancel(self) -> Response | None:
        return await navigate_by(self.page, self.cancel_button.click, self.STEP)
