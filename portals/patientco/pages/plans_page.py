"""The payment plan worklist, searched by plan reference (exact)."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import SearchedListPage


class PlansPage(SearchedListPage):
    STEP = "plans"
    PATH = "/plans"
    SEARCH_PARAMETER = "reference"  # the search form's GET field
    COLUMNS = ("Plan #", "Account #", "Statement #", "Status", "Installment", "Remaining",
               "Next draft", "Reference")  # fmt: skip
    TABLE = "payment plans"
    HEADERS_ANY_CASE = True  # the console's upper-case headers (see pages/reading.py)

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Payment plans", exact=True)
        self.search_box = page.get_by_label("Plan reference")
        self.table = page.get_by_role("table", name="Payment plans")
        self.empty_notice = page.get_by_role("status").filter(has_text="No payment plans match")
