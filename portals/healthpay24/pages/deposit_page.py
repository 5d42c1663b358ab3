"""One deposit: what was collected, for which visit, and where it went once billed."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.page_reading import read_definitions_if_shown
from portals.record_page import RecordPage

DEPOSIT_TERMS = ("Estimate", "Amount", "Deposit note", "Collected on", "Visit",
                 "Planned service date", "Expected billing date", "Status")  # fmt: skip


class DepositPage(RecordPage):
    STEP = "deposits"
    PATH_PREFIX = "/portal/deposits/"  # the deposit submit lands here
    PATH = PATH_PREFIX + "{}"
    NOT_FOUND = "Deposit not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.details = page.get_by_role("main")

    async def deposit_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.details, DEPOSIT_TERMS, "deposit")
