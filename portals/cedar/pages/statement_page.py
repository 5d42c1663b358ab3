"""One statement: its summary and its itemized charges."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.page_reading import (
    read_definitions_if_shown,
    read_table_if_shown,
)
from portals.record_page import RecordPage

SUMMARY_TERMS = ("Balance due", "Total", "Due date", "Statement date", "Account number")
LINE_ITEM_COLUMNS = ("Service date", "Code", "Description", "Charge", "Your responsibility")


class StatementPage(RecordPage):
    STEP = "statement"
    PATH = "/statements/{}"
    NOT_FOUND = "Statement not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.summary = page.get_by_role("region", name="Statement summary")
        self.line_items_table = page.get_by_role("table", name="Itemized charges")
        self.pay_link = page.get_by_role("link", name="Pay this statement")

    async def summary_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.summary, SUMMARY_TERMS, "statement summary")

    async def line_items(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(
                self.line_items_table, LINE_ITEM_COLUMNS, "itemized charges"
            )
