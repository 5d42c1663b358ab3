"""One statement: its summary and its itemized charges."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.page_reading import (
    main_heading_text,
    read_definitions_if_shown,
    read_table_if_shown,
)

SUMMARY_TERMS = ("Balance due", "Total", "Due date", "Statement date", "Account number")
LINE_ITEM_COLUMNS = ("Service date", "Code", "Description", "Charge", "Your responsibility")


class StatementPage:
    STEP = "statement"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.not_found_heading = page.get_by_role("heading", name="Statement not found")
        self.summary = page.get_by_role("region", name="Statement summary")
        self.line_items_table = page.get_by_role("table", name="Itemized charges")
        self.pay_link = page.get_by_role("link", name="Pay this statement")

    async def open(self, statement_id: str) -> Response | None:
        url = f"{self.base_url}/statements/{quote(statement_id, safe='')}"
        return await goto(self.page, url, self.STEP)

    async def is_not_found(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.not_found_heading.is_visible()

    async def heading_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await main_heading_text(self.page)

    async def summary_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.summary, SUMMARY_TERMS, "statement summary")

    async def line_items(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(
                self.line_items_table, LINE_ITEM_COLUMNS, "itemized charges"
            )
