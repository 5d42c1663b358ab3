"""The console's sign-in entry: ``/login`` hands the browser to Patientco ID; after a timeout
or a sign-out it says so first ("Signed out")."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto


class ConsoleLoginPage:
    STEP = "login"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}/login"
        self.signed_out_heading = page.get_by_role("heading", name="Signed out")
        self.sign_in_failed_heading = page.get_by_role("heading", name="Sign-in failed")

    async def open(self) -> Response | None:
        """Start a sign-in: ends on the identity provider, or on the console if its SSO
        session (or a trusted browser) signs in without asking."""
        return await goto(self.page, self.url, self.STEP)

    async def is_signed_out(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.signed_out_heading.is_visible()

    async def is_sign_in_failed(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.sign_in_failed_heading.is_visible()
