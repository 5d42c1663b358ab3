"""A statement's "New payment plan" screen: the plan terms, then installment, draft method,
reference and the guarantor's authorization."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import alert_messages
from portals.patientco.pages.reading import read_facts_if_shown
from portals.record_page import RecordPage

TERMS = ("Statement balance", "Minimum plan balance", "Minimum installment", "Maximum term",
         "Returned draft retry", "Draft retries")  # fmt: skip


class PlanEnrollmentPage(RecordPage):
    STEP = "plan_form"
    PATH = "/statements/{}/plan"
    NOT_FOUND = "Statement not found"
    SUBMIT_STEP = "plan_submit"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.terms = page.get_by_role("region", name="Plan terms")
        self.installment = page.get_by_label("Installment amount (USD)")
        self.method = page.get_by_label("Draft from payment method on file")
        self.reference = page.get_by_label("Reference", exact=True)
        self.authorized = page.get_by_label("Guarantor authorized recurring drafts")
        self.submit_button = page.get_by_role("button", name="Enroll in plan")
        self.alert = page.get_by_role("alert")

    async def term_facts(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_facts_if_shown(self.terms, TERMS, "plan terms")

    async def is_form_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.submit_button.is_visible()

    async def fill(self, installment: str, token: str, reference: str) -> bool:
        """Fill the form; False (nothing submitted) when the token is not a method on file."""
        async with errors_mapped(self.STEP):
            options = await self.method.get_by_role("option").all()
            if token not in [await option.get_attribute("value") for option in options]:
                return False
            await self.method.select_option(value=token)
            await self.installment.fill(installment)
            await self.reference.fill(reference)
            await self.authorized.check()
            return True

    async def submit(self) -> Response | None:
        return await navigate_by(self.page, self.submit_button.click, self.SUBMIT_STEP)

    async def error_messages(self) -> list[str]:
        async with errors_mapped(self.SUBMIT_STEP):
            return await alert_messages(self.alert)
