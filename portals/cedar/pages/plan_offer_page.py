"""A statement's payment plan offer: the plan terms the portal allows on its balance."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.page_reading import read_definitions_if_shown
from portals.record_page import RecordPage

TERMS = ("Balance due", "Minimum balance for a plan", "Minimum monthly payment", "Longest plan",
         "Retry after a failed payment", "Retries before the plan is past due")  # fmt: skip


class PlanOfferPage(RecordPage):
    STEP = "plan_offer"
    PATH = "/statements/{}/plan"
    NOT_FOUND = "Statement not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.terms = page.get_by_role("region", name="Plan terms")

    async def term_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.terms, TERMS, "plan terms")
