"""The transactions journal, searched by reference ("Reference contains"), opened at the
search form's GET address (``/transactions?reference=…``) in one navigation."""

from __future__ import annotations

import re

from playwright.async_api import Page

from portals.list_page import SearchedListPage
from portals.navigation import errors_mapped

# "Transactions", or "Transaction history" since the redesign (the heading names the table).
TITLE = re.compile(r"^transactions?( history)?$", re.IGNORECASE)


class TransactionsPage(SearchedListPage):
    STEP = "transactions"
    PATH = "/transactions"
    COLUMNS = ("Posted", "Transaction ID", "Type", "Status", "Account #", "Applied to", "Method",
               "Amount", "Reference", "Memo")  # fmt: skip
    TABLE = "transactions"
    HEADERS_ANY_CASE = True  # the console's upper-case headers (see pages/reading.py)
    SEARCH_PARAMETER = "reference"  # the search box's name, in v1 and v2 alike

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name=TITLE)
        self.search_box = page.get_by_label("Reference contains")
        self.search_button = page.get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name=TITLE)
        self.empty_notice = page.get_by_role("status").filter(has_text="No transactions match")

    async def can_search(self) -> bool:
        """Whether the search can be sent: a reference lookup without it would wait for a
        button that never comes."""
        async with errors_mapped(self.STEP):
            return await self.search_button.is_visible()
