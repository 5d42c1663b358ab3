"""Settlement batches and each batch's "Export CSV" download."""

from __future__ import annotations

from playwright.async_api import Download, Page, Response

from portals.navigation import download_by, errors_mapped, goto
from portals.patientco.pages.reading import read_table_if_shown

COLUMNS = ("Batch", "Status", "Opened", "Closed", "Deposit date", "Payments", "Refunds", "Net")


class SettlementsPage:
    STEP = "settlements"
    EXPORT_STEP = "settlement_export"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}/settlements"
        self.heading = page.get_by_role("heading", name="Settlement batches")
        self.table = page.get_by_role("table", name="Settlement batches")
        self.empty_notice = page.get_by_role("status").filter(has_text="No settlement batches")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.table, COLUMNS, "settlement batches")

    async def export(self, batch_id: str) -> Download:
        link = self.page.get_by_role("link", name=f"Export CSV of {batch_id}", exact=True)
        return await download_by(self.page, link.click, self.EXPORT_STEP)
