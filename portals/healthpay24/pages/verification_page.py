"""Verify your identity: a 6-digit security code from an authenticator app or a text."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.code_entry_page import CodeEntryPage
from portals.navigation import errors_mapped, goto


class VerificationPage(CodeEntryPage):
    PATH = "/signin/verify"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page)
        self.url = f"{base_url}{self.PATH}"
        # "Verify your identity" (2024), "Verify it's you" (the redesign)
        self.heading = page.get_by_role(
            "heading", name=re.compile(r"^verify (your identity|it's you)$", re.IGNORECASE)
        )
        self.code = page.get_by_label("Security code")
        self.remember_device = page.get_by_role("checkbox", name="Remember this device")
        self.verify_button = page.get_by_role("button", name="Verify", exact=True)
        self.resend_button = page.get_by_role("button", name="Text me a new code")
        self.sent_notice = page.get_by_text("We texted a security code to")
        self.authenticator_hint = page.get_by_text("in your authenticator app")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        # The button too: a screen that lost it would cost the whole action timeout.
        async with errors_mapped(self.STEP):
            return await super().is_shown() and await self.verify_button.is_visible()
