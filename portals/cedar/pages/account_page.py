"""The patient's account page: the profile (who is responsible) and the billing accounts."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.page_reading import (
    read_definitions_if_shown,
    read_table_if_shown,
)

PROFILE_TERMS = ("Name", "Username")
ACCOUNT_COLUMNS = ("Account number", "Balance due")


class AccountPage:
    STEP = "account"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}/account"
        self.heading = page.get_by_role("heading", name="Your account")
        self.profile = page.get_by_role("region", name="Profile")
        self.accounts = page.get_by_role("table", name="Billing accounts")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def profile_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.profile, PROFILE_TERMS, "account profile")

    async def account_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.accounts, ACCOUNT_COLUMNS, "billing accounts")
