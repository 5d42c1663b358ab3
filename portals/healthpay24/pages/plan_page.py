"""One payment plan: its summary, its installments with their draft status, and the
patient's actions (pause or resume autopay, change, cancel)."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import read_definitions_if_shown, read_table_if_shown, text_or_none
from portals.record_page import RecordPage

SUMMARY_TERMS = ("Statement", "Plan status", "Monthly installment", "Autopay from",
                 "Remaining balance", "Next draft", "Plan note")  # fmt: skip
INSTALLMENT_COLUMNS = ("Installment", "Due date", "Amount", "Status", "Draft attempts",
                       "Confirmation")  # fmt: skip


class PlanPage(RecordPage):
    STEP = "plans"
    PATH_PREFIX = "/portal/plans/"  # enrolling and every action land here
    PATH = PATH_PREFIX + "{}"
    NOT_FOUND = "Payment plan not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.summary = page.get_by_role("region", name="Plan summary")
        self.installments = page.get_by_role("table", name="Installments")
        self.pause_button = page.get_by_role("button", name="Pause autopay")
        self.resume_button = page.get_by_role("button", name="Resume autopay")
        self.cancel_button = page.get_by_role("button", name="Cancel plan")
        self.change_link = page.get_by_role("link", name="Change installment or payment method")
        self.alert = page.get_by_role("alert")

    async def summary_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.summary, SUMMARY_TERMS, "plan summary")

    async def installment_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.installments, INSTALLMENT_COLUMNS, "installments")

    async def can_pause(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.pause_button.count() > 0

    async def can_resume(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.resume_button.count() > 0

    async def can_change(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.change_link.count() > 0

    async def can_cancel(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.cancel_button.count() > 0

    async def pause(self) -> Response | None:
        return await navigate_by(self.page, self.pause_button.click, self.STEP)

    async def resume(self) -> Response | None:
        return await navigate_by(self.page, self.resume_button.click, self.STEP)

    async def cancel(self) -> Response | None:
        return await navigate_by(self.page, self.cancel_button.click, self.STEP)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.alert)
