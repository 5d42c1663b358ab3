"""One account: its details (patient, guarantor), its visits and its statements."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.page_reading import (
    main_heading_text,
    read_definitions_if_shown,
    read_table_if_shown,
)

DETAIL_TERMS = ("Patient", "Guarantor", "Guarantor ID", "Guarantor date of birth",
                "Account status", "Autopay", "Current balance")  # fmt: skip
VISIT_COLUMNS = ("Visit number", "Visit date", "Facility", "Department")
STATEMENT_COLUMNS = ("Statement", "Visit number", "Statement date", "Due by", "Amount billed",
                     "Amount due", "Status", "Document")  # fmt: skip


class AccountPage:
    STEP = "account"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.details = page.get_by_role("region", name="Account details")
        self.visits = page.get_by_role("table", name="Visits")
        self.statements = page.get_by_role("table", name="Statements")
        self.not_found_heading = page.get_by_role("heading", name="Account not found")

    async def open(self, account_number: str) -> Response | None:
        url = f"{self.base_url}/portal/accounts/{quote(account_number, safe='')}"
        return await goto(self.page, url, self.STEP)

    async def is_not_found(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.not_found_heading.is_visible()

    async def heading_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await main_heading_text(self.page)

    async def detail_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.details, DETAIL_TERMS, "account")

    async def visit_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.visits, VISIT_COLUMNS, "visits")

    async def statement_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.statements, STATEMENT_COLUMNS, "statements")
