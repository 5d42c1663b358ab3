"""The contract every portal adapter implements, whatever the vendor.

An adapter drives one browser page of one portal. It holds no Temporal code and makes
no business decisions (the workflow decides whether to pay; the adapter only knows how).
It raises the typed errors of ``models.errors``: PortalChanged when a page does not look
as expected, never a guess.
"""

from __future__ import annotations

from typing import Protocol

from playwright.async_api import Page

from models.connections import Credentials
from models.payments import Payment, PaymentSubmission, ReceiptFile
from models.statements import Statement, StatementSummary


class PortalAdapter(Protocol):
    def __init__(self, page: Page, base_url: str) -> None: ...

    async def login(self, credentials: Credentials) -> None:
        """Sign in, answering a TOTP challenge from ``credentials.totp_secret`` if asked."""

    async def list_statements(self) -> list[StatementSummary]:
        """Every statement of the signed-in patient, all pages."""

    async def get_statement(self, statement_id: str) -> Statement:
        """One statement with its line items; StatementNotFound if the portal has none."""

    async def find_payment(self, reference: str) -> Payment | None:
        """The payment carrying our client reference in the portal's history, if any."""

    async def submit_payment(self, submission: PaymentSubmission) -> Payment:
        """Fill in and submit the pay form; return the confirmation page's payment.

        Raises ConfirmationMissing when the submit went out but no confirmation came back:
        the caller must reconcile with ``find_payment`` before submitting again.
        """

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        """The receipt document of a posted payment."""
