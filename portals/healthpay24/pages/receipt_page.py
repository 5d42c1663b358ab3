"""The receipt after a payment: its details and the PDF download."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.async_api import Download, Page, Response

from portals.navigation import download_by, errors_mapped, navigate_by
from portals.page_reading import read_definitions_if_shown
from portals.record_page import RecordPage

RECEIPT_TERMS = ("Confirmation number", "Amount paid", "Statement", "Payment method",
                 "Payment note", "Paid on")  # fmt: skip
# The statement's balance after this payment, where the receipt shows it: "Remaining balance"
# (2024), "Balance remaining" (the redesign).
BALANCE_AFTER_TERMS = ("Remaining balance", "Balance remaining")
REVERSAL_TERMS = ("Payment status", "Settlement", "Remaining refundable")


class ReceiptPage(RecordPage):
    STEP = "receipt"
    PATH_PREFIX = "/portal/receipts/"  # the submit lands here
    PATH = PATH_PREFIX + "{}"
    NOT_FOUND = "Receipt not found"
    PDF_STEP = "receipt_pdf"
    PDF_PATH = PATH + "/pdf"  # the "Download receipt (PDF)" link's address

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        # "Thank you for your payment" (2024), "Payment received: thank you" (the redesign)
        self.heading = page.get_by_role(
            "heading",
            name=re.compile(r"thank you for your payment|payment received", re.IGNORECASE),
        )
        self.receipt = page.get_by_role("region", name="Receipt")
        self.pdf_link = page.get_by_role("link", name="Download receipt (PDF)")
        self.reversals = page.get_by_role("region", name="Refunds and voids")
        self.void_link = page.get_by_role("link", name="Void this payment")
        self.refund_link = page.get_by_role("link", name="Request a refund")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def receipt_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.receipt, RECEIPT_TERMS, "receipt")

    def pdf_url(self, confirmation_number: str) -> str:
        return f"{self.base_url}{self.PDF_PATH.format(quote(confirmation_number, safe=''))}"

    async def download_pdf(self) -> Download:
        return await download_by(self.page, self.pdf_link.click, self.PDF_STEP)

    async def reversal_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.reversals, REVERSAL_TERMS, "refunds")

    async def offers_void(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.void_link.count() > 0

    async def offers_refund(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.refund_link.count() > 0

    async def open_void(self) -> Response | None:
        return await navigate_by(self.page, self.void_link.click, "refund")

    async def open_refund(self) -> Response | None:
        return await navigate_by(self.page, self.refund_link.click, "refund")
