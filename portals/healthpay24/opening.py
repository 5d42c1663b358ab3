"""Opening HealthPay24 pages the way every adapter step does.

HealthPay24 answers a dead session with a redirect to its sign-in page (``?reason=inactivity``
when it timed out), which becomes SessionExpired wherever it happens; an unknown or foreign
statement answers 404 "Statement not found", which becomes StatementNotFound.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.async_api import Page

from models.errors import PortalChanged, SessionExpired, StatementNotFound
from portals.healthpay24.pages.sign_in_page import SignInPage
from portals.healthpay24.pages.statement_page import StatementPage

NOT_FOUND = 404


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def raise_if_signed_out(page: Page, step: str) -> None:
    """SessionExpired when the portal sent us to its sign-in page instead of ``step``."""
    if path_of(page) != SignInPage.PATH:
        return
    timed_out = parse_qs(urlparse(page.url).query).get("reason") == ["inactivity"]
    because = "the session expired" if timed_out else "the portal asked to sign in again"
    raise SessionExpired(f"{step}: {because}")


async def open_statement(page: Page, base_url: str, statement_id: str) -> StatementPage:
    detail = StatementPage(page, base_url)
    response = await detail.open(statement_id)
    raise_if_signed_out(page, "statement")
    if (response is not None and response.status == NOT_FOUND) or await detail.is_not_found():
        raise StatementNotFound(f"statement {statement_id} is not in this HealthPay24 login")
    if await detail.heading_text() != f"Statement {statement_id}":
        raise PortalChanged("statement: the page heading does not name the statement")
    return detail
