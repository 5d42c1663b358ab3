"""Patientco ID's code screen: an authenticator code or an emailed one, "Trust this browser"."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.code_entry_page import CodeEntryPage
from portals.navigation import errors_mapped, goto

# "Verify your identity", or "Confirm your identity" since the redesign.
HEADING = re.compile(r"^(verify|confirm) your identity$", re.IGNORECASE)


class IdpVerifyPage(CodeEntryPage):
    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name=HEADING)
        self.timed_out_heading = page.get_by_role("heading", name="Your sign-in has timed out")
        self.code = page.get_by_label("Security code")
        self.remember_device = page.get_by_role("checkbox", name="Trust this browser")
        self.verify_button = page.get_by_role("button", name="Verify")
        self.resend_button = page.get_by_role("button", name="Resend code")
        self.sent_notice = page.get_by_text(re.compile(r"^We sent a 6-digit code to"))
        self.authenticator_hint = page.get_by_text(re.compile(r"authenticator app and enter"))

    async def open(self, idp_origin: str) -> Response | None:
        return await goto(self.page, f"{idp_origin}/signin/verify", self.STEP)

    async def is_timed_out(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.timed_out_heading.is_visible()
