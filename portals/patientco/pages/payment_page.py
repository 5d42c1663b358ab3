"""One payment (a transaction): "Payment posted" right after posting, details, receipt."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Download, Page, Response

from portals.navigation import download_by, errors_mapped, goto
from portals.patientco.pages.reading import read_facts_if_shown

DETAIL_TERMS = ("Transaction ID", "Status", "Account #", "Applied to", "Amount", "Payment method",
                "Reference", "Posted")  # fmt: skip


class PaymentPage:
    STEP = "confirmation"
    RECEIPT_STEP = "receipt"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.posted_banner = page.get_by_role("status").filter(has_text="Payment posted")
        self.not_found_heading = page.get_by_role("heading", name="Transaction not found")
        self.details = page.get_by_role("region", name="Transaction details")
        self.receipt_link = page.get_by_role("link", name="Download receipt (PDF)")

    async def open(self, transaction_id: str) -> Response | None:
        url = f"{self.base_url}/transactions/{quote(transaction_id, safe='')}"
        return await goto(self.page, url, self.STEP)

    async def is_posted(self) -> bool:
        """The page right after a successful submit."""
        async with errors_mapped(self.STEP):
            return await self.posted_banner.is_visible()

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.details.is_visible()

    async def is_not_found(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.not_found_heading.is_visible()

    async def detail_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_facts_if_shown(self.details, DETAIL_TERMS, "transaction")

    async def download_receipt(self) -> Download:
        return await download_by(self.page, self.receipt_link.click, self.RECEIPT_STEP)
