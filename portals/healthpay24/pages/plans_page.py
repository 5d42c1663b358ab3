"""Payment plans: every plan of the login, with its status and plan note."""

from __future__ import annotations

from playwright.async_api import Page

from portals.list_page import ListPage
from portals.navigation import errors_mapped


class PlansPage(ListPage):
    STEP = "plans"
    PATH = "/portal/plans"
    COLUMNS = ("Plan", "Statement", "Plan status", "Monthly installment", "Next draft",
               "Plan note")  # fmt: skip
    TABLE = "payment plans"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Payment plans", level=1)
        self.table = page.get_by_role("table", name="Your payment plans")
        self.no_plans = page.get_by_text("You have no payment plans")

    async def has_no_plans(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.no_plans.is_visible()
