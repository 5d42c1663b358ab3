"""One statement: its details (period, delivery), itemized charges and "Post payment"."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.patientco.pages.reading import (
    read_facts_if_shown,
    read_table_if_shown,
)
from portals.record_page import RecordPage

DETAIL_TERMS = ("Statement #", "Account #", "Statement period", "Issued", "Due", "Billed",
                "Balance", "Status", "Delivery")  # fmt: skip
CHARGE_COLUMNS = ("DOS", "Encounter", "CPT/HCPCS", "Description", "Gross charge",
                  "Guarantor resp.")  # fmt: skip


class StatementPage(RecordPage):
    STEP = "statement"
    PATH = "/statements/{}"
    NOT_FOUND = "Statement not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.details = page.get_by_role("region", name="Statement details")
        self.charges = page.get_by_role("table", name="Charges")
        self.post_payment_link = page.get_by_role("link", name="Post payment")

    async def detail_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_facts_if_shown(self.details, DETAIL_TERMS, "statement")

    async def charge_rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(self.charges, CHARGE_COLUMNS, "itemized charges")

    async def names_statement(self, statement_id: str) -> bool:
        """Whether the level-1 heading names this statement: "Statement PS2…", or
        "Statement #PS2…" since the redesign."""
        named = re.compile(rf"Statement #?{re.escape(statement_id)}")
        return named.fullmatch(await self.heading_text() or "") is not None

    async def can_post_payment(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.post_payment_link.count() > 0

    async def open_post_payment(self) -> Response | None:
        return await navigate_by(self.page, self.post_payment_link.click, "pay_form")
