"""The guarantor accounts list, six to a page, with a "Next page" link."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by
from portals.patientco.pages.reading import read_table_if_shown

COLUMNS = ("Guarantor #", "Guarantor", "DOB", "Account #", "MRN(s)", "Status", "Account balance")


class AccountsPage:
    STEP = "accounts"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}/accounts"
        self.heading = page.get_by_role("heading", name="Guarantor accounts", level=1)
        self.table = page.get_by_role("table", name="Guarantor accounts")
        self.next_link = page.get_by_role("navigation", name="Results pages").get_by_role(
            "link", name="Next page"
        )

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.table, COLUMNS, "guarantor accounts")

    async def has_next(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.next_link.count() > 0

    async def go_next(self) -> Response | None:
        return await navigate_by(self.page, self.next_link.click, self.STEP)
