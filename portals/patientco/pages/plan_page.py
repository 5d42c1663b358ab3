"""One payment plan: its details and its draft schedule with each draft's status."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.patientco.pages.reading import read_facts_if_shown, read_table_if_shown
from portals.record_page import RecordPage

DETAIL_TERMS = ("Statement #", "Plan status", "Installment", "Draft method", "Remaining balance",
                "Next draft date", "Reference")  # fmt: skip
DRAFT_COLUMNS = ("#", "Draft date", "Amount", "Draft status", "Attempts", "Transaction ID")


class PlanPage(RecordPage):
    STEP = "plan"
    PATH = "/plans/{}"
    NOT_FOUND = "Payment plan not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.details = page.get_by_role("region", name="Plan details")
        self.schedule = page.get_by_role("table", name="Draft schedule")

    async def detail_facts(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_facts_if_shown(self.details, DETAIL_TERMS, "plan details")

    async def draft_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.schedule, DRAFT_COLUMNS, "draft schedule")
