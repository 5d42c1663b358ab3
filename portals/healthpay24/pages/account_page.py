"""One account: its details (patient, guarantor), its visits and its statements."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.page_reading import (
    read_definitions_if_shown,
    read_table_if_shown,
)
from portals.record_page import RecordPage

DETAIL_TERMS = ("Patient", "Guarantor", "Guarantor ID", "Guarantor date of birth",
                "Account status", "Autopay", "Current balance")  # fmt: skip
VISIT_COLUMNS = ("Visit number", "Visit date", "Facility", "Department")
STATEMENT_COLUMNS = ("Statement", "Visit number", "Statement date", "Due by", "Amount billed",
                     "Amount due", "Status", "Document")  # fmt: skip


class AccountPage(RecordPage):
    STEP = "account"
    PATH = "/portal/accounts/{}"
    NOT_FOUND = "Account not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.details = page.get_by_role("region", name="Account details")
        self.visits = page.get_by_role("table", name="Visits")
        self.statements = page.get_by_role("table", name="Statements")

    async def detail_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.details, DETAIL_TERMS, "account")

    async def visit_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.visits, VISIT_COLUMNS, "visits")

    async def statement_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.statements, STATEMENT_COLUMNS, "statements")
