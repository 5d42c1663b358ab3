"""The statement worklist: every guarantor's statements, eight to a page."""

from __future__ import annotations

import re

from playwright.async_api import Page

from portals.list_page import PagedListPage

# "Statement worklist", or "Statements" since the redesign.
HEADING = re.compile(r"^statements?( worklist)?$", re.IGNORECASE)


class StatementsPage(PagedListPage):
    STEP = "statements"
    PATH = "/statements"
    COLUMNS = ("Statement #", "Guarantor #", "Guarantor", "Statement period", "Issued", "Due",
               "Billed", "Balance", "Status", "Delivery")  # fmt: skip
    TABLE = "statements"
    HEADERS_ANY_CASE = True  # the console's upper-case headers (see pages/reading.py)

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name=HEADING)
        self.table = page.get_by_role("table", name="Statements")
        self.next_link = page.get_by_role("navigation", name="Results pages").get_by_role(
            "link", name="Next page"
        )
