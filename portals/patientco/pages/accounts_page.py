"""The guarantor accounts list, six to a page, with a "Next page" link."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import PagedListPage


class AccountsPage(PagedListPage):
    STEP = "accounts"
    PATH = "/accounts"
    COLUMNS = ("Guarantor #", "Guarantor", "DOB", "Account #", "MRN(s)", "Status",
               "Account balance")  # fmt: skip
    TABLE = "guarantor accounts"
    HEADERS_ANY_CASE = True  # the console's upper-case headers (see pages/reading.py)

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Guarantor accounts", level=1)
        self.table = page.get_by_role("table", name="Guarantor accounts")
        self.next_link = page.get_by_role("navigation", name="Results pages").get_by_role(
            "link", name="Next page"
        )
