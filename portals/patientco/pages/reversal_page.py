"""The console's "Void payment" and "Refund payment" forms: a reason code, a memo (where our
reference goes) and, for a refund, the amount."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages


class ReversalPage:
    """One of the two forms; ``kind`` is "void" or "refund" (also the fault step's name)."""

    def __init__(self, page: Page, kind: str) -> None:
        self.page = page
        self.step = kind
        title = "Void payment" if kind == "void" else "Refund payment"
        self.heading = page.get_by_role("heading", name=title)
        self.amount = page.get_by_label("Refund amount (USD)")
        self.reason = page.get_by_label("Reason code")
        self.memo = page.get_by_label("Memo", exact=False)
        button = "Confirm void" if kind == "void" else "Issue refund"
        self.submit_button = page.get_by_role("button", name=button)
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.step):
            return (
                await self.heading.is_visible()
                and await self.reason.is_visible()
                and await self.memo.is_visible()
                and await self.submit_button.is_visible()
            )

    async def has_amount(self) -> bool:
        async with errors_mapped(self.step):
            return await self.amount.is_visible()

    async def fill(self, *, reason_code: str, memo: str, amount: str | None) -> bool:
        """False if the portal does not list this reason code."""
        async with errors_mapped(self.step):
            values = [await option.get_attribute("value")
                      for option in await self.reason.get_by_role("option").all()]  # fmt: skip
            if reason_code not in values:
                return False
            await self.reason.select_option(value=reason_code)
            await self.memo.fill(memo)
            if amount is not None:
                await self.amount.fill(amount)
            return True

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.submit_button.click, self.step)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.step):
            return await alert_messages(self.alert)
