"""HealthPay24Adapter: the HealthPay24 patient portal behind the shared PortalAdapter contract
(and EstimateReader, for its pre-service estimates).

Drives the page objects, maps what they read to normalized models (``normalize``) and what
the portal says to typed errors. Signing in lives in ``sign_in``, paying in ``checkout``.
No Temporal code here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Download, Page

from models.accounts import Account
from models.connections import Credentials
from models.errors import (
    AmbiguousPayment,
    InvalidInput,
    MfaRejected,
    PortalChanged,
    PortalUnavailable,
)
from models.estimates import Estimate
from models.payments import Payment, PaymentSubmission, ReceiptFile
from models.sessions import MfaChallenge, MfaMethod
from models.statements import Statement, StatementSummary
from portals.healthpay24 import normalize
from portals.healthpay24.checkout import Checkout
from portals.healthpay24.opening import NOT_FOUND, open_statement, raise_if_signed_out
from portals.healthpay24.pages.account_page import AccountPage
from portals.healthpay24.pages.accounts_page import AccountsPage
from portals.healthpay24.pages.estimates_page import EstimatesPage
from portals.healthpay24.pages.payment_activity_page import PaymentActivityPage
from portals.healthpay24.pages.receipt_page import ReceiptPage
from portals.healthpay24.sign_in import SignIn
from portals.navigation import PortalTimeouts, errors_mapped
from security.redaction import remember_account


class HealthPay24Adapter:
    def __init__(
        self, page: Page, base_url: str, *, timeouts: PortalTimeouts | None = None
    ) -> None:
        self._page = page
        self._base_url = base_url.rstrip("/")
        self._sign_in = SignIn(page, self._base_url)
        (timeouts or PortalTimeouts()).apply(page)

    async def login(self, credentials: Credentials) -> None:
        challenge = await self._sign_in.start(credentials, remember_device=False)
        if challenge is None:
            return
        if challenge.method is MfaMethod.TOTP:
            raise MfaRejected(
                "login: the portal asks for a one-time code but no TOTP secret is set"
            )
        raise MfaRejected(
            f"login: the portal sent a one-time code by {challenge.method}; "
            "only a person can read it"
        )

    async def start_login(self, credentials: Credentials) -> MfaChallenge | None:
        return await self._sign_in.start(credentials, remember_device=True)

    async def submit_mfa_code(self, code: str) -> bool:
        return await self._sign_in.submit_code(code)

    async def resend_mfa_code(self) -> MfaChallenge:
        return await self._sign_in.resend_code()

    async def is_signed_in(self) -> bool:
        return await self._sign_in.is_signed_in()

    async def list_accounts(self) -> list[Account]:
        accounts = []
        for row in await self._account_rows():
            number = row["Account number"]
            details = await self._open_account(number)
            fields = await details.detail_fields()
            if not fields:
                raise PortalChanged("account: the account details are missing")
            account = normalize.account(number, fields, await details.visit_rows())
            remember_account(account)  # redacted from logs and errors from now on
            accounts.append(account)
        return accounts

    async def list_statements(self) -> list[StatementSummary]:
        summaries: list[StatementSummary] = []
        for row in await self._account_rows():
            number = row["Account number"]
            details = await self._open_account(number)
            summaries.extend(
                normalize.statement_summary(statement, number)
                for statement in await details.statement_rows()
            )
        return summaries

    async def get_statement(self, statement_id: str) -> Statement:
        detail = await open_statement(self._page, self._base_url, statement_id)
        fields = await detail.summary_fields()
        if not fields:
            raise PortalChanged("statement: the statement summary is missing")
        charges = await detail.charge_rows()
        if not charges:
            raise PortalChanged("statement: the itemized charges are missing")
        return normalize.statement(statement_id, fields, charges, await detail.has_pdf())

    async def download_statement_pdf(self, statement_id: str) -> ReceiptFile:
        """The statement as the portal's PDF document."""
        detail = await open_statement(self._page, self._base_url, statement_id)
        if not await detail.has_pdf():
            raise PortalChanged("statement: no PDF download is offered")
        return await _downloaded(await detail.download_pdf(), "statement_pdf")

    async def list_estimates(self) -> list[Estimate]:
        listing = EstimatesPage(self._page, self._base_url)
        await listing.open()
        raise_if_signed_out(self._page, "estimates")
        if not await listing.is_shown():
            raise PortalChanged("estimates: the cost estimates page is not as expected")
        found = await listing.estimates()
        if not found and not await listing.has_none():
            raise PortalChanged("estimates: neither estimates nor 'no cost estimates' are shown")
        return [normalize.estimate(number, fields, rows) for number, fields, rows in found]

    async def find_payment(self, reference: str) -> Payment | None:
        activity = PaymentActivityPage(self._page, self._base_url)
        await activity.open()
        raise_if_signed_out(self._page, "history")
        if not await activity.is_shown():
            raise PortalChanged("history: the payment activity page is not as expected")
        await activity.search(reference)
        raise_if_signed_out(self._page, "history")
        if await activity.is_empty():
            return None
        rows = await activity.rows()
        if not rows:
            raise PortalChanged("history: neither payments nor 'no payments' are shown")
        # The portal's search finds notes *containing* the text: only an exact note is ours.
        matches = [
            normalize.payment_from_activity(row)
            for row in rows
            if row["Payment note"].strip() == reference
        ]
        if len(matches) > 1:
            raise AmbiguousPayment(
                f"{len(matches)} payments carry reference {reference}: review them before retrying"
            )
        return matches[0] if matches else None

    async def submit_payment(self, submission: PaymentSubmission) -> Payment:
        return await Checkout(self._page, self._base_url).pay(submission)

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        receipt = ReceiptPage(self._page, self._base_url)
        await receipt.open(confirmation_number)
        raise_if_signed_out(self._page, "receipt")
        if await receipt.is_not_found():
            raise InvalidInput(f"no payment {confirmation_number} in this HealthPay24 login")
        if not await receipt.is_shown():
            raise PortalChanged("receipt: the receipt page is not as expected")
        return await _downloaded(await receipt.download_pdf(), "receipt_pdf")

    async def _account_rows(self) -> list[dict[str, str]]:
        listing = AccountsPage(self._page, self._base_url)
        await listing.open()
        raise_if_signed_out(self._page, "accounts")
        if not await listing.is_shown():
            raise PortalChanged("accounts: the accounts page is not as expected")
        rows = await listing.rows()
        if not rows and not await listing.has_no_accounts():
            raise PortalChanged("accounts: neither accounts nor 'no accounts' are shown")
        return rows

    async def _open_account(self, number: str) -> AccountPage:
        details = AccountPage(self._page, self._base_url)
        response = await details.open(number)
        raise_if_signed_out(self._page, "account")
        if (response is not None and response.status == NOT_FOUND) or await details.is_not_found():
            raise PortalChanged("account: an account listed on the accounts page is not found")
        if await details.heading_text() != f"Account {number}":
            raise PortalChanged("account: the page heading does not name the account")
        return details


async def _downloaded(download: Download, step: str) -> ReceiptFile:
    async with errors_mapped(step):
        failure = await download.failure()
        if failure is not None:
            raise PortalUnavailable(f"{step}: the download failed ({failure})")
        path = await download.path()
        content = await _read_bytes(path)
    return ReceiptFile(filename=download.suggested_filename, content=content)


async def _read_bytes(path: Path) -> bytes:
    return await asyncio.to_thread(path.read_bytes)
