"""The payment history, searchable by reference."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by
from portals.page_reading import read_table_if_shown

COLUMNS = ("Date", "Confirmation", "Statement", "Amount", "Paid with", "Reference")


class PaymentHistoryPage:
    STEP = "history"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}/payments"
        self.heading = page.get_by_role("heading", name="Payment history")
        self.search_box = page.get_by_label("Search by reference")
        self.search_button = page.get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name="Payments")
        self.empty_notice = page.get_by_text("No payments found")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.search_box.is_visible()

    async def search(self, reference: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.search_box.fill(reference)
        return await navigate_by(self.page, self.search_button.click, self.STEP)

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.table, COLUMNS, "payment history")
