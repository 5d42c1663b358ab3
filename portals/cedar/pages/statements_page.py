"""The statements list, three to a page, with Previous/Next pagination."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import PagedListPage


class StatementsPage(PagedListPage):
    STEP = "statements"
    PATH = "/statements"
    COLUMNS = ("Statement", "Statement date", "Due date", "Total", "Balance due", "Status")
    TABLE = "statements"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Your statements")
        self.table = page.get_by_role("table", name="Statements")
        self.pagination = page.get_by_role("navigation", name="Pagination")
        self.next_link = self.pagination.get_by_role("link", name="Next", exact=True)
