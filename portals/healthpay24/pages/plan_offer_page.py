"""A statement's payment-plan page: HealthPay24's plan terms for its amount due and, when the
statement is eligible, the enrollment form (monthly installment, the saved method autopay
drafts, the plan note that carries our client reference, the authorization)."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.form_controls import check_the_one_valued
from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages, read_definitions_if_shown, text_or_none
from portals.record_page import RecordPage

TERMS = ("Statement", "Amount due", "Minimum amount due for a plan", "Minimum monthly installment",
         "Longest plan", "Declined draft retried after",
         "Retries before the plan is delinquent")  # fmt: skip


class PlanOfferPage(RecordPage):
    STEP = "plans"
    SUBMIT_STEP = "plan_submit"
    PATH = "/portal/statements/{}/payment-plan"
    NOT_FOUND = "Statement not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.terms = page.get_by_role("region", name="Plan terms")
        self.installment = page.get_by_role("textbox", name="Monthly installment (USD)")
        self.methods = page.get_by_role("group", name="Autopay from").get_by_role("radio")
        self.note = page.get_by_role("textbox", name="Plan note")
        self.authorize = page.get_by_role("checkbox", name="I authorize HealthPay24 to draft")
        self.enroll_button = page.get_by_role("button", name="Enroll in payment plan")
        self.status = page.get_by_role("status")
        self.alert = page.get_by_role("alert")

    async def terms_fields(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_definitions_if_shown(self.terms, TERMS, "plan terms")

    async def offers_enrollment(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.enroll_button.count() > 0

    async def form_is_complete(self) -> bool:
        """Every control the enrollment needs is there (checked before typing, so a changed
        form is PortalChanged at once instead of a fill waiting out its timeout)."""
        async with errors_mapped(self.STEP):
            for control in (self.installment, self.note, self.authorize):
                if await control.count() != 1:
                    return False
            return True

    async def status_text(self) -> str | None:
        """Why no form is offered: the statement's existing plan, or not eligible."""
        async with errors_mapped(self.STEP):
            return await text_or_none(self.status)

    async def fill_in(self, installment: str, token: str, note: str) -> bool:
        """False, with the method left unchosen, when no saved method has this token."""
        async with errors_mapped(self.STEP):
            await self.installment.fill(installment)
            await self.note.fill(note)
            await self.authorize.check()
            return await check_the_one_valued(self.methods, token)

    async def enroll(self) -> Response | None:
        return await navigate_by(self.page, self.enroll_button.click, self.SUBMIT_STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.STEP):
            return await alert_messages(self.alert)
