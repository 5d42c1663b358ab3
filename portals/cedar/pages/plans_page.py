"""The patient's payment plans, searchable by reference."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import SearchedListPage


class PlansPage(SearchedListPage):
    STEP = "plans"
    PATH = "/plans"
    SEARCH_PARAMETER = "reference"  # the search form's GET field
    COLUMNS = ("Plan", "Statement", "Status", "Monthly payment", "Remaining", "Next payment",
               "Reference")  # fmt: skip
    TABLE = "payment plans"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Payment plans", exact=True)
        self.search_box = page.get_by_label("Search by reference")
        self.table = page.get_by_role("table", name="Your payment plans")
        self.empty_notice = page.get_by_text("No payment plans found")
