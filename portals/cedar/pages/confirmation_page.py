"""The payment confirmation: its details and the receipt download link."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Download, Page, Response

from portals.navigation import download_by, errors_mapped, goto
from portals.page_reading import read_definitions_if_shown

DETAIL_TERMS = ("Confirmation number", "Amount", "Statement", "Paid with", "Reference", "Date")


class ConfirmationPage:
    STEP = "confirmation"
    RECEIPT_STEP = "receipt"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.heading = page.get_by_role("heading", name="Payment confirmed")
        self.not_found_heading = page.get_by_role("heading", name="Payment not found")
        self.details = page.get_by_role("region", name="Payment details")
        self.receipt_link = page.get_by_role("link", name="Download receipt (PDF)")

    async def open(self, confirmation_number: str) -> Response | None:
        url = f"{self.base_url}/payments/{quote(confirmation_number, safe='')}"
        return await goto(self.page, url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def is_not_found(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.not_found_heading.is_visible()

    async def detail_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(
                self.details, DETAIL_TERMS, "payment confirmation"
            )

    async def download_receipt(self) -> Download:
        return await download_by(self.page, self.receipt_link.click, self.RECEIPT_STEP)
