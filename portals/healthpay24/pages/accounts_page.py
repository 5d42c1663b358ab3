"""My accounts: the landing page after sign-in, one row per account."""

from __future__ import annotations

import re

from playwright.async_api import Page

from portals.list_page import ListPage
from portals.navigation import errors_mapped


class AccountsPage(ListPage):
    STEP = "accounts"
    PATH = "/portal/accounts"
    COLUMNS = ("Account number", "Patient", "Guarantor", "Status", "Current balance")
    TABLE = "accounts"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        # "My accounts" (2024), "Your accounts" (the redesign)
        self.heading = page.get_by_role(
            "heading", name=re.compile(r"^(my|your) accounts$", re.IGNORECASE)
        )
        self.table = page.get_by_role("table", name="Accounts")
        self.no_accounts = page.get_by_text("There are no accounts linked")

    async def has_no_accounts(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.no_accounts.is_visible()
