"""The payment history, searchable by reference."""

from __future__ import annotations

import re

from playwright.async_api import Page

from portals.list_page import SearchedListPage
from portals.navigation import errors_mapped

# "Payment history", or the redesign's "Payment activity".
HEADING = re.compile(r"^payment (history|activity)$", re.IGNORECASE)


class PaymentHistoryPage(SearchedListPage):
    STEP = "history"
    PATH = "/payments"
    COLUMNS = ("Date", "Confirmation", "Statement", "Amount", "Paid with", "Reference")
    TABLE = "payment history"
    SEARCH_PARAMETER = "reference"  # both layouts' search form: GET /payments?reference=…

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name=HEADING)
        self.search_box = page.get_by_label("Search by reference")
        self.search_button = page.get_by_role("button", name="Search", exact=True)
        self.table = page.get_by_role("table", name="Payments")
        self.empty_notice = page.get_by_text("No payments found")

    async def is_shown(self) -> bool:
        """The heading and all a reference lookup uses, the search button included: without
        it the lookup cannot run, and that is known as soon as the page loads."""
        async with errors_mapped(self.STEP):
            return await super().is_shown() and await self.search_button.is_visible()
