"""One payment (a transaction): "Payment posted" right after posting, details, receipt."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.async_api import Download, Page, Response

from portals.navigation import download_by, errors_mapped, navigate_by
from portals.patientco.pages.reading import read_facts_if_shown
from portals.record_page import RecordPage

DETAIL_TERMS = ("Transaction ID", "Status", "Account #", "Applied to", "Amount", "Payment method",
                "Reference", "Posted")  # fmt: skip


# "Download receipt (PDF)", or "Download PDF receipt" since the redesign.
RECEIPT = re.compile(r"^download (pdf )?receipt( \(pdf\))?$", re.IGNORECASE)


class PaymentPage(RecordPage):
    STEP = "confirmation"
    PATH = "/transactions/{}"
    NOT_FOUND = "Transaction not found"
    RECEIPT_STEP = "receipt"
    RECEIPT_PATH = "/transactions/{}/receipt.pdf"  # the "Download receipt (PDF)" link's address

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.posted_banner = page.get_by_role("status").filter(has_text="Payment posted")
        self.details = page.get_by_role("region", name="Transaction details")
        self.receipt_link = page.get_by_role("link", name=RECEIPT)
        self.void_link = page.get_by_role("link", name="Void payment")
        self.refund_link = page.get_by_role("link", name="Issue refund")

    async def is_posted(self) -> bool:
        """The page right after a successful submit."""
        async with errors_mapped(self.STEP):
            return await self.posted_banner.is_visible()

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.details.is_visible()

    async def detail_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_facts_if_shown(self.details, DETAIL_TERMS, "transaction")

    def receipt_url(self, transaction_id: str) -> str:
        return f"{self.base_url}{self.RECEIPT_PATH.format(quote(transaction_id, safe=''))}"

    async def download_receipt(self) -> Download:
        return await download_by(self.page, self.receipt_link.click, self.RECEIPT_STEP)

    async def offers_void(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.void_link.count() > 0

    async def offers_refund(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.refund_link.count() > 0

    async def open_void(self) -> Response | None:
        return await navigate_by(self.page, self.void_link.click, "void")

    async def open_refund(self) -> Response | None:
        return await navigate_by(self.page, self.refund_link.click, "refund")
