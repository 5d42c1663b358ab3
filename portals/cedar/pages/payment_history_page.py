"""The payment history, searchable by reference."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import SearchedListPage


class PaymentHistoryPage(SearchedListPage):
    STEP = "history"
    PATH = "/payments"
    COLUMNS = ("Date", "Confirmation", "Statement", "Amount", "Paid with", "Reference")
    TABLE = "payment history"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Payment history")
        self.search_box = page.get_by_label("Search by reference")
        self.search_button = page.get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name="Payments")
        self.empty_notice = page.get_by_text("No payments found")
