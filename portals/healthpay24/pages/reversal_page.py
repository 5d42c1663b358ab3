"""The "Void payment" and "Request a refund" forms: a reason (radio, HealthPay24's list), a
refund note (where our reference goes) and, for a refund, the amount."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.form_controls import check_the_one_valued
from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages

STEP = "refund"


class ReversalPage:
    def __init__(self, page: Page, *, void: bool) -> None:
        self.page = page
        title = "Void payment" if void else "Request a refund"
        self.heading = page.get_by_role("heading", name=title, exact=True)
        self.amount = page.get_by_label("Refund amount (USD)")
        self.reasons = page.get_by_role("group", name="Reason").get_by_role("radio")
        self.note = page.get_by_label("Refund note")
        self.submit_button = page.get_by_role(
            "button", name="Void payment" if void else "Submit refund"
        )
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(STEP):
            return (
                await self.heading.is_visible()
                and await self.note.is_visible()
                and await self.submit_button.is_visible()
            )

    async def has_amount(self) -> bool:
        async with errors_mapped(STEP):
            return await self.amount.is_visible()

    async def fill(self, *, reason_code: str, note: str, amount: str | None) -> bool:
        """False if the form does not list this reason code."""
        async with errors_mapped(STEP):
            if not await check_the_one_valued(self.reasons, reason_code):
                return False
            await self.note.fill(note)
            if amount is not None:
                await self.amount.fill(amount)
        return True

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.submit_button.click, STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(STEP):
            return await alert_messages(self.alert)
