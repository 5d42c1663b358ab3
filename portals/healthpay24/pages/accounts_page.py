"""My accounts: the landing page after sign-in, one row per account."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.page_reading import read_table_if_shown

COLUMNS = ("Account number", "Patient", "Guarantor", "Status", "Current balance")


class AccountsPage:
    STEP = "accounts"
    PATH = "/portal/accounts"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        self.heading = page.get_by_role("heading", name="My accounts")
        self.table = page.get_by_role("table", name="Accounts")
        self.no_accounts = page.get_by_text("There are no accounts linked")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def has_no_accounts(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.no_accounts.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.table, COLUMNS, "accounts")
