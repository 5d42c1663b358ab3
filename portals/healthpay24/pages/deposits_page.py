"""Deposits: every deposit the patient paid, searchable by deposit note ("contains")."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import SearchedListPage
from portals.navigation import errors_mapped


class DepositsPage(SearchedListPage):
    STEP = "deposits"
    PATH = "/portal/deposits"
    SEARCH_PARAMETER = "note"  # the search form's GET field
    COLUMNS = ("Deposit", "Estimate", "Collected on", "Amount", "Status", "Deposit note")
    TABLE = "deposits"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Deposits", exact=True)
        self.search_box = page.get_by_label("Search deposit notes")
        self.table = page.get_by_role("table", name="Deposits")
        self.empty_notice = page.get_by_text("No deposits match")
        self.no_deposits = page.get_by_text("You have not paid any deposits")

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible() or await self.no_deposits.is_visible()
