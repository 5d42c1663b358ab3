"""Payment activity: every payment, searchable by payment note (a "contains" search)."""

from __future__ import annotations

import re

from playwright.async_api import Page

from portals.list_page import SearchedListPage
from portals.navigation import errors_mapped

# "Payment activity" (2024), "Payment history" (the redesign)
ACTIVITY_HEADING = re.compile(r"^payment (activity|history)$", re.IGNORECASE)


class PaymentActivityPage(SearchedListPage):
    STEP = "history"
    PATH = "/portal/payment-activity"
    COLUMNS = ("Paid on", "Confirmation", "Account", "Statement", "Amount", "Payment method",
               "Payment note")  # fmt: skip
    TABLE = "payment activity"
    SEARCH_PARAMETER = "note"  # the search form's GET field, in both layouts

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name=ACTIVITY_HEADING)
        self.search_box = page.get_by_label("Search payment notes")
        self.search_button = page.get_by_role("search").get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name="Payments")
        self.empty_notice = page.get_by_text("No payments match")
        self.no_payments = page.get_by_text("You have not made any payments")

    async def is_shown(self) -> bool:
        """The lookup by reference needs the search box and its button: without them it could
        only conclude "not found" and pay again."""
        async with errors_mapped(self.STEP):
            return (
                await self.heading.is_visible()
                and await self.search_box.is_visible()
                and await self.search_button.is_visible()
            )

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible() or await self.no_payments.is_visible()
