"""Payment activity's "Refunds and voids" table, searched by refund note with the page's
one search box (it searches payment and refund notes alike)."""

from __future__ import annotations

from playwright.async_api import Page

from portals.healthpay24.pages.payment_activity_page import ACTIVITY_HEADING
from portals.list_page import SearchedListPage
from portals.navigation import errors_mapped


class RefundActivityPage(SearchedListPage):
    STEP = "history"
    PATH = "/portal/payment-activity"
    SEARCH_PARAMETER = "note"  # the search form's GET field
    COLUMNS = ("Date", "Refund number", "Type", "Original payment", "Amount", "Reason",
               "Refund note")  # fmt: skip
    TABLE = "refunds and voids"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name=ACTIVITY_HEADING)
        self.search_box = page.get_by_label("Search payment notes")
        self.search_button = page.get_by_role("search").get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name="Refunds and voids")
        self.empty_notice = page.get_by_text("No refunds or voids match")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return (
                await self.heading.is_visible()
                and await self.search_box.is_visible()
                and await self.search_button.is_visible()
            )
