"""The enrollment form: monthly payment, the card on file autopay charges, reference, consent."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.form_controls import check_the_one_valued
from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages
from portals.record_page import RecordPage


class PlanEnrollmentPage(RecordPage):
    STEP = "plan_form"
    PATH = "/statements/{}/plan/enroll"
    NOT_FOUND = "Statement not found"
    SUBMIT_STEP = "plan_submit"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.heading = page.get_by_role("heading", name="Set up a payment plan")
        self.installment = page.get_by_role("textbox", name="Monthly payment")
        self.methods = page.get_by_role("group", name="Pay with").get_by_role("radio")
        self.reference = page.get_by_label("Reference (optional)")
        self.consent = page.get_by_role("checkbox", name="I authorize Cedar to charge")
        self.submit_button = page.get_by_role("button", name="Start payment plan")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.submit_button.is_visible()

    async def fill(self, installment: str, token: str, reference: str) -> bool:
        """Fill the form; False (nothing submitted) when the token is not a card on file."""
        async with errors_mapped(self.STEP):
            if not await check_the_one_valued(self.methods, token):
                return False
            await self.installment.fill(installment)
            await self.reference.fill(reference)
            await self.consent.check()
            return True

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.submit_button.click, self.SUBMIT_STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.SUBMIT_STEP):
            return await alert_messages(self.alert)
