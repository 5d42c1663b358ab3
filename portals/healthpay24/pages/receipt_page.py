"""The receipt after a payment: its details and the PDF download."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Download, Page, Response

from portals.navigation import download_by, errors_mapped, goto
from portals.page_reading import read_definitions_if_shown

RECEIPT_TERMS = ("Confirmation number", "Amount paid", "Statement", "Payment method",
                 "Payment note", "Paid on")  # fmt: skip


class ReceiptPage:
    STEP = "receipt"
    PDF_STEP = "receipt_pdf"
    PATH_PREFIX = "/portal/receipts/"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.heading = page.get_by_role("heading", name="Thank you for your payment")
        self.receipt = page.get_by_role("region", name="Receipt")
        self.pdf_link = page.get_by_role("link", name="Download receipt (PDF)")
        self.not_found_heading = page.get_by_role("heading", name="Receipt not found")

    async def open(self, confirmation_number: str) -> Response | None:
        url = f"{self.base_url}{self.PATH_PREFIX}{quote(confirmation_number, safe='')}"
        return await goto(self.page, url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def is_not_found(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.not_found_heading.is_visible()

    async def receipt_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.receipt, RECEIPT_TERMS, "receipt")

    async def download_pdf(self) -> Download:
        return await download_by(self.page, self.pdf_link.click, self.PDF_STEP)
