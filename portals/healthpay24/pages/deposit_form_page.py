"""An estimate's deposit form: the summary, the processor's hosted fields, the deposit note
(our client reference), the authorization and "Pay deposit"."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import read_definitions_if_shown, text_or_none
from portals.record_page import RecordPage

SUMMARY_TERMS = ("Estimate", "Planned service date", "Deposit due")


class DepositFormPage(RecordPage):
    STEP = "deposit"
    SUBMIT_STEP = "deposit_submit"
    PATH = "/portal/estimates/{}/deposit"
    NOT_FOUND = "Estimate not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.summary = page.get_by_role("region", name="Deposit summary")
        self.not_due = page.get_by_role("status").filter(has_text="A deposit is not due")
        self.chosen_method = page.get_by_role("status").filter(has_text=re.compile("^Paying with "))
        self.note = page.get_by_role("textbox", name="Deposit note")
        self.authorize = page.get_by_role("checkbox", name=re.compile("^I authorize this deposit"))
        self.pay_button = page.get_by_role("button", name="Pay deposit")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.summary.is_visible() and await self.pay_button.is_visible()

    async def not_due_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.not_due)

    async def summary_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.summary, SUMMARY_TERMS, "deposit")

    async def wait_for_chosen_method(self) -> str | None:
        """ "Paying with Visa ending in 4242" once the frame handed a method over; None if
        "Pay deposit" did not become usable with it."""
        async with errors_mapped(self.STEP):
            await self.chosen_method.wait_for(state="visible")
            if not await self.pay_button.is_enabled():
                return None
            return (await self.chosen_method.inner_text()).strip()

    async def enter_note(self, note: str) -> None:
        async with errors_mapped(self.STEP):
            await self.note.fill(note)

    async def authorize_deposit(self) -> None:
        async with errors_mapped(self.STEP):
            await self.authorize.check()

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.pay_button.click, self.SUBMIT_STEP)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.alert)
