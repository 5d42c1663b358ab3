"""Settlement batches and each batch's "Export CSV" download."""

from __future__ import annotations

from playwright.async_api import Download, Page

from portals.list_page import ListPage
from portals.navigation import download_by, errors_mapped


class SettlementsPage(ListPage):
    STEP = "settlements"
    EXPORT_STEP = "settlement_export"
    PATH = "/settlements"
    COLUMNS = ("Batch", "Status", "Opened", "Closed", "Deposit date", "Payments", "Refunds", "Net")
    TABLE = "settlement batches"
    HEADERS_ANY_CASE = True  # the console's upper-case headers (see pages/reading.py)

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Settlement batches")
        self.table = page.get_by_role("table", name="Settlement batches")
        self.empty_notice = page.get_by_role("status").filter(has_text="No settlement batches")

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible()

    async def export(self, batch_id: str) -> Download:
        link = self.page.get_by_role("link", name=f"Export CSV of {batch_id}", exact=True)
        return await download_by(self.page, link.click, self.EXPORT_STEP)
