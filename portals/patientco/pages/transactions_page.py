"""The transactions journal, searched by reference ("Reference contains")."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by
from portals.patientco.pages.reading import read_table_if_shown

COLUMNS = ("Posted", "Transaction ID", "Type", "Status", "Account #", "Applied to", "Method",
           "Amount", "Reference")  # fmt: skip


class TransactionsPage:
    STEP = "transactions"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}/transactions"
        self.heading = page.get_by_role("heading", name="Transactions", exact=True)
        self.search_box = page.get_by_label("Reference contains")
        self.search_button = page.get_by_role("button", name="Search")
        self.table = page.get_by_role("table", name="Transactions")
        self.empty_notice = page.get_by_role("status").filter(has_text="No transactions match")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.search_box.is_visible()

    async def search(self, reference: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.search_box.fill(reference)
        return await navigate_by(self.page, self.search_button.click, self.STEP)

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.table, COLUMNS, "transactions")
