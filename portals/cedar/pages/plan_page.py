"""One payment plan: its summary and its installments with their draft status."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.page_reading import read_definitions_if_shown, read_table_if_shown
from portals.record_page import RecordPage

SUMMARY_TERMS = ("Statement", "Status", "Monthly payment", "Paid with", "Remaining balance",
                 "Next payment", "Reference")  # fmt: skip
INSTALLMENT_COLUMNS = ("Installment", "Due date", "Amount", "Status", "Attempts", "Confirmation")


class PlanPage(RecordPage):
    STEP = "plan"
    PATH = "/plans/{}"
    NOT_FOUND = "Payment plan not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.summary = page.get_by_role("region", name="Plan summary")
        self.installments_table = page.get_by_role("table", name="Installments")

    async def summary_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.summary, SUMMARY_TERMS, "plan summary")

    async def installment_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(
                self.installments_table, INSTALLMENT_COLUMNS, "installments"
            )
