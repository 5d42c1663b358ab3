"""The statements list, three to a page, with Previous/Next pagination."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by
from portals.page_reading import read_table_if_shown

COLUMNS = ("Statement", "Statement date", "Due date", "Total", "Balance due", "Status")


class StatementsPage:
    STEP = "statements"
    PATH = "/statements"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        self.heading = page.get_by_role("heading", name="Your statements")
        self.table = page.get_by_role("table", name="Statements")
        self.pagination = page.get_by_role("navigation", name="Pagination")
        self.next_link = self.pagination.get_by_role("link", name="Next", exact=True)

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.table, COLUMNS, "statements")

    async def has_next(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.next_link.count() > 0

    async def go_next(self) -> Response | None:
        return await navigate_by(self.page, self.next_link.click, self.STEP)
