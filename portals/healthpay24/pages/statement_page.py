"""One statement: its summary, its itemized charges, "Pay now" and the PDF download."""

from __future__ import annotations

from playwright.async_api import Download, Page, Response

from portals.navigation import download_by, errors_mapped, navigate_by
from portals.page_reading import (
    read_definitions_if_shown,
    read_table_if_shown,
)
from portals.record_page import RecordPage

SUMMARY_TERMS = ("Account number", "Visit", "Statement date", "Payment due by", "Amount billed",
                 "Amount due", "Status")  # fmt: skip
CHARGE_COLUMNS = ("Date of service", "Procedure code", "Description", "Charges", "You owe")


class StatementPage(RecordPage):
    STEP = "statement"
    PATH = "/portal/statements/{}"
    NOT_FOUND = "Statement not found"
    PDF_STEP = "statement_pdf"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.summary = page.get_by_role("region", name="Statement summary")
        self.charges = page.get_by_role("table", name="Charges")
        self.pay_now = page.get_by_role("link", name="Pay now")
        self.pdf_link = page.get_by_role("link", name="Download statement (PDF)")

    async def summary_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.summary, SUMMARY_TERMS, "statement summary")

    async def charge_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.charges, CHARGE_COLUMNS, "charges")

    async def has_pdf(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.pdf_link.count() > 0

    async def can_pay(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.pay_now.count() > 0

    async def start_payment(self) -> Response | None:
        return await navigate_by(self.page, self.pay_now.click, "checkout")

    async def download_pdf(self) -> Download:
        return await download_by(self.page, self.pdf_link.click, self.PDF_STEP)
