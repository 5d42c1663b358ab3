"""The two-step verification screen: a 6-digit code from an app, a text or an email."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.code_entry_page import CodeEntryPage
from portals.navigation import goto

HEADING = re.compile(r"two-step verification|verify it.s you", re.IGNORECASE)


class MfaPage(CodeEntryPage):
    PATH = "/mfa"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page)
        self.url = f"{base_url}{self.PATH}"
        # The redesign says "Verify it's you".
        self.heading = page.get_by_role("heading", name=HEADING)
        self.code = page.get_by_label("Verification code")
        self.remember_device = page.get_by_role("checkbox", name="Remember this device")
        self.verify_button = page.get_by_role("button", name="Verify")
        self.resend_button = page.get_by_role("button", name="Send a new code")
        # "We sent a code to …" (text message) or "We emailed a code to …"
        self.sent_notice = page.get_by_text(re.compile(r"^We (sent|emailed) a code to"))
        self.authenticator_hint = page.get_by_text("from your authenticator app")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)
