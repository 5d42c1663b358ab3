"""The payment confirmation: its details and the receipt download link."""

from __future__ import annotations

import re

from playwright.async_api import Download, Page

from portals.navigation import download_by, errors_mapped
from portals.page_reading import read_definitions_if_shown
from portals.record_page import RecordPage

# "Payment confirmed" / "Download receipt (PDF)", and the redesign's wording of them.
HEADING = re.compile(r"^payment (confirmed|received)$", re.IGNORECASE)
RECEIPT_LINK = re.compile(r"^download (pdf )?receipt", re.IGNORECASE)
DETAIL_TERMS = ("Confirmation number", "Amount", "Statement", "Paid with", "Reference", "Date")


class ConfirmationPage(RecordPage):
    STEP = "confirmation"
    PATH = "/payments/{}"
    NOT_FOUND = "Payment not found"
    RECEIPT_STEP = "receipt"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name=HEADING)
        self.details = page.get_by_role("region", name="Payment details")
        self.receipt_link = page.get_by_role("link", name=RECEIPT_LINK)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def detail_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(
                self.details, DETAIL_TERMS, "payment confirmation"
            )

    async def download_receipt(self) -> Download:
        return await download_by(self.page, self.receipt_link.click, self.RECEIPT_STEP)
