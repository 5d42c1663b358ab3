"""Payment activity: every payment, searchable by payment note (a "contains" search)."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import SearchedListPage
from portals.navigation import errors_mapped


class PaymentActivityPage(SearchedListPage):
    STEP = "history"
    PATH = "/portal/payment-activity"
    COLUMNS = ("Paid on", "Confirmation", "Account", "Statement", "Amount", "Payment method",
               "Payment note")  # fmt: skip
    TABLE = "payment activity"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Payment activity")
        self.search_box = page.get_by_label("Search payment notes")
        self.search_button = page.get_by_role("search").get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name="Payments")
        self.empty_notice = page.get_by_text("No payments match")
        self.no_payments = page.get_by_text("You have not made any payments")

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible() or await self.no_payments.is_visible()
