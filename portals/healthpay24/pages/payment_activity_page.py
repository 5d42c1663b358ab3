"""Payment activity: every payment, searchable by payment note (a "contains" search)."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by
from portals.page_reading import read_table_if_shown

COLUMNS = ("Paid on", "Confirmation", "Account", "Statement", "Amount", "Payment method",
           "Payment note")  # fmt: skip


class PaymentActivityPage:
    STEP = "history"
    PATH = "/portal/payment-activity"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        self.heading = page.get_by_role("heading", name="Payment activity")
        self.search_box = page.get_by_label("Search payment notes")
        self.search_button = page.get_by_role("search").get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name="Payments")
        self.no_match = page.get_by_text("No payments match")
        self.no_payments = page.get_by_text("You have not made any payments")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.search_box.is_visible()

    async def search(self, note: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.search_box.fill(note)
        return await navigate_by(self.page, self.search_button.click, self.STEP)

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.no_match.is_visible() or await self.no_payments.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.table, COLUMNS, "payment activity")
