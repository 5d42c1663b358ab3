"""CedarAdapter: the Cedar patient portal behind the shared PortalAdapter contract.

Drives the page objects, maps what they read to normalized models, and maps what the portal
says (wrong password, locked, amount too high…) to typed errors. No Temporal code here.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.async_api import Page, Response

from models.accounts import Account, AccountStatus, Guarantor
from models.connections import Credentials
from models.errors import (
    AmbiguousPayment,
    ConfirmationMissing,
    InvalidInput,
    MfaCodeExpired,
    MfaRejected,
    PortalChanged,
    PortalTimeout,
    PortalUnavailable,
    SessionExpired,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.payments import Payment, PaymentSubmission, ReceiptFile
from models.sessions import MfaChallenge, MfaMethod
from models.statements import LineItem, Statement, StatementSummary
from portals.cedar import parsing, refusals
from portals.cedar.pages.account_page import AccountPage
from portals.cedar.pages.confirmation_page import ConfirmationPage
from portals.cedar.pages.login_page import LoginPage
from portals.cedar.pages.mfa_page import MfaPage
from portals.cedar.pages.payment_history_page import PaymentHistoryPage
from portals.cedar.pages.payment_page import PaymentPage
from portals.cedar.pages.statement_page import StatementPage
from portals.cedar.pages.statements_page import StatementsPage
from portals.navigation import PortalTimeouts, errors_mapped
from portals.one_time_codes import current_code, typed_code
from security.redaction import remember_account

logger = logging.getLogger(__name__)

MAX_STATEMENT_PAGES = 50
NOT_FOUND = 404
CODE_DIGITS = 6


class CedarAdapter:
    def __init__(
        self, page: Page, base_url: str, *, timeouts: PortalTimeouts | None = None
    ) -> None:
        self._page = page
        self._base_url = base_url.rstrip("/")
        (timeouts or PortalTimeouts()).apply(page)

    async def login(self, credentials: Credentials) -> None:
        challenge = await self._sign_in(credentials, remember_device=False)
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
        """Sign in up to the code a person must read; None when already signed in."""
        return await self._sign_in(credentials, remember_device=True)

    async def submit_mfa_code(self, code: str) -> bool:
        mfa = MfaPage(self._page, self._base_url)
        await self._open_challenge(mfa)
        normalized = typed_code(code, CODE_DIGITS)
        if normalized is None:
            # Nothing the portal could accept; do not spend one of its attempts on it.
            return False
        await mfa.enter_code(normalized, remember_device=True)
        return await self._code_accepted(mfa)

    async def resend_mfa_code(self) -> MfaChallenge:
        mfa = MfaPage(self._page, self._base_url)
        challenge = await self._open_challenge(mfa)
        if challenge.method is MfaMethod.TOTP:
            return challenge  # the authenticator app shows a new code by itself
        await mfa.request_new_code()
        if self._path() != "/mfa":
            raise MfaRejected("mfa: no sign-in is waiting for a code any more; start again")
        return await self._challenge(mfa)

    async def is_signed_in(self) -> bool:
        listing = StatementsPage(self._page, self._base_url)
        await listing.open()
        if self._path() == "/login":
            return False
        if not await listing.is_shown():
            raise PortalChanged("statements: the statements list is not as expected")
        return True

    async def _sign_in(
        self, credentials: Credentials, *, remember_device: bool
    ) -> MfaChallenge | None:
        login = LoginPage(self._page, self._base_url)
        await login.open()
        await login.sign_in(credentials.username, credentials.password.get_secret_value())
        if self._path() == "/statements":  # a remembered device skips the code
            await self._confirm_signed_in("login")
            return None
        if self._path() != "/mfa":
            raise refusals.sign_in_refusal(await login.alert_text())
        mfa = MfaPage(self._page, self._base_url)
        challenge = await self._challenge(mfa)
        if challenge.method is not MfaMethod.TOTP or credentials.totp_secret is None:
            return challenge
        try:
            code = current_code(credentials.totp_secret.get_secret_value())
        except ValueError as error:
            raise InvalidInput(f"login: {error}") from None
        await mfa.enter_code(code, remember_device=remember_device)
        if not await self._code_accepted(mfa):
            raise MfaRejected("login: the portal rejected the one-time code")
        return None

    async def _open_challenge(self, mfa: MfaPage) -> MfaChallenge:
        """The verification screen of the sign-in waiting in this browser's cookies."""
        if self._path() != "/mfa" or not await mfa.is_shown():
            await mfa.open()
            if self._path() != "/mfa":
                raise MfaRejected("mfa: no sign-in is waiting for a code (timed out or finished)")
        return await self._challenge(mfa)

    async def _challenge(self, mfa: MfaPage) -> MfaChallenge:
        if not await mfa.is_shown():
            raise PortalChanged("login: the verification code screen is not as expected")
        sent = await mfa.sent_notice_text()
        if sent is not None:
            method, destination, message = parsing.code_destination(sent)
            return MfaChallenge(method=method, masked_destination=destination, message=message)
        hint = await mfa.authenticator_hint_text()
        if hint is not None:
            return MfaChallenge(method=MfaMethod.TOTP, masked_destination=None, message=hint)
        raise PortalChanged("mfa: the verification screen names no way the code was delivered")

    async def _code_accepted(self, mfa: MfaPage) -> bool:
        """After Verify: True when signed in, False when the portal asks for the code again."""
        if self._path() == "/statements":
            await self._confirm_signed_in("mfa")
            logger.info("signed in to Cedar")
            return True
        if await mfa.is_shown():
            alert = (await mfa.alert_text() or "").lower()
            if "expired" in alert:
                raise MfaCodeExpired("mfa: the code expired before it was entered; send a new one")
            if "incorrect" in alert:
                return False
            raise PortalChanged("mfa: the code was neither accepted nor refused")
        if await LoginPage(self._page, self._base_url).is_shown():
            raise MfaRejected("mfa: the portal refused the codes and restarted sign-in")
        raise PortalChanged("mfa: the code was neither accepted nor refused")

    async def _confirm_signed_in(self, step: str) -> None:
        if not await StatementsPage(self._page, self._base_url).is_shown():
            raise PortalChanged(f"{step}: signed in, but the statements page did not follow")

    async def list_accounts(self) -> list[Account]:
        """Cedar's patient is the guarantor of every account number on the account page."""
        page = AccountPage(self._page, self._base_url)
        self._check_signed_in(await page.open(), "account")
        if not await page.is_shown():
            raise PortalChanged("account: the account page is not as expected")
        profile = await page.profile_fields()
        if not profile:
            raise PortalChanged("account: the profile is missing")
        guarantor = Guarantor(identifier=profile["Username"], name=profile["Name"])
        accounts = [
            Account(
                identifier=row["Account number"],
                status=AccountStatus.ACTIVE,
                guarantor=guarantor,
                balance=parsing.money(row["Balance due"], "account balance"),
            )
            for row in await page.account_rows()
        ]
        for account in accounts:
            remember_account(account)  # redacted from logs and errors from now on
        return accounts

    async def list_statements(self) -> list[StatementSummary]:
        listing = StatementsPage(self._page, self._base_url)
        self._check_signed_in(await listing.open(), "statements")
        if not await listing.is_shown():
            raise PortalChanged("statements: the statements list is not as expected")
        summaries = [self._summary(row) for row in await listing.rows()]
        for _ in range(MAX_STATEMENT_PAGES):
            if not await listing.has_next():
                return summaries
            self._check_signed_in(await listing.go_next(), "statements")
            summaries.extend(self._summary(row) for row in await listing.rows())
        raise PortalChanged(f"statements: more than {MAX_STATEMENT_PAGES} pages")

    async def get_statement(self, statement_id: str) -> Statement:
        detail = StatementPage(self._page, self._base_url)
        response = self._check_signed_in(await detail.open(statement_id), "statement")
        if (response is not None and response.status == NOT_FOUND) or await detail.is_not_found():
            raise StatementNotFound(f"statement {statement_id} is not in this Cedar account")
        if await detail.heading_text() != f"Statement {statement_id}":
            raise PortalChanged("statement: the page heading does not name the statement")
        fields = await detail.summary_fields()
        if not fields:
            raise PortalChanged("statement: the statement summary is missing")
        items = [self._line_item(row) for row in await detail.line_items()]
        if not items:
            raise PortalChanged("statement: the itemized charges are missing")
        balance = parsing.money(fields["Balance due"], "balance due")
        return Statement(
            statement_id=statement_id,
            issued_on=parsing.day(fields["Statement date"], "statement date"),
            due_on=parsing.day(fields["Due date"], "due date"),
            total=parsing.money(fields["Total"], "total"),
            balance=balance,
            status=parsing.statement_status(
                fields.get("Status", "Open" if balance.amount_cents else "Paid")
            ),
            account_number=fields["Account number"],
            line_items=items,
        )

    async def find_payment(self, reference: str) -> Payment | None:
        history = PaymentHistoryPage(self._page, self._base_url)
        self._check_signed_in(await history.open(), "history")
        if not await history.is_shown():
            raise PortalChanged("history: the payment history page is not as expected")
        self._check_signed_in(await history.search(reference), "history")
        if await history.is_empty():
            return None
        rows = await history.rows()
        if not rows:
            raise PortalChanged("history: neither payments nor 'No payments found' are shown")
        matches = [row for row in rows if parsing.reference(row["Reference"]) == reference]
        if len(matches) > 1:
            raise AmbiguousPayment(
                f"{len(matches)} payments carry reference {reference}: review them before retrying"
            )
        if not matches:
            return None
        row = matches[0]
        return Payment(
            confirmation_number=row["Confirmation"],
            statement_id=row["Statement"],
            amount=parsing.money(row["Amount"], "payment amount"),
            reference=parsing.reference(row["Reference"]),
            method_last4=parsing.card_last4(row["Paid with"]),
            method_kind=parsing.method_kind(row["Paid with"]),
            posted_at=parsing.timestamp(row["Date"], "payment date"),
        )

    async def submit_payment(self, submission: PaymentSubmission) -> Payment:
        form = PaymentPage(self._page, self._base_url)
        response = self._check_signed_in(await form.open(submission.statement_id), "pay_form")
        if (response is not None and response.status == NOT_FOUND) or await form.is_not_found():
            raise StatementNotFound(
                f"statement {submission.statement_id} is not in this Cedar account"
            )
        if not await form.is_shown():
            raise PortalChanged("pay_form: the payment form is not as expected")
        if not await form.choose_payment_method(submission.payment_method_token):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        await form.enter_amount(parsing.form_amount(submission.amount.amount_cents))
        await form.enter_reference(submission.reference)
        try:
            response = await form.submit()
        except (PortalUnavailable, PortalTimeout) as error:
            # The submit may have moved money before the answer was lost: reconcile first.
            raise ConfirmationMissing(
                f"pay_submit: no confirmation arrived ({error.message}); "
                f"look up reference {submission.reference} before submitting again"
            ) from None
        self._check_signed_in(response, "pay_submit")
        confirmation = ConfirmationPage(self._page, self._base_url)
        if await confirmation.is_shown():
            return await self._confirmed_payment(confirmation)
        errors = await form.error_messages()
        if errors:
            raise refusals.form_refusal(errors)
        raise PortalChanged("pay_submit: neither a confirmation nor a form error was shown")

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        confirmation = ConfirmationPage(self._page, self._base_url)
        self._check_signed_in(await confirmation.open(confirmation_number), "confirmation")
        if await confirmation.is_not_found():
            raise InvalidInput(f"no payment {confirmation_number} in this Cedar account")
        if not await confirmation.is_shown():
            raise PortalChanged("confirmation: the payment confirmation is not as expected")
        download = await confirmation.download_receipt()
        async with errors_mapped("receipt"):
            failure = await download.failure()
            if failure is not None:
                raise PortalUnavailable(f"receipt: the download failed ({failure})")
            path = await download.path()
            content = await _read_bytes(path)
        return ReceiptFile(filename=download.suggested_filename, content=content)

    async def _confirmed_payment(self, confirmation: ConfirmationPage) -> Payment:
        fields = await confirmation.detail_fields()
        if not fields:
            raise PortalChanged("pay_submit: the confirmation page has no payment details")
        return Payment(
            confirmation_number=fields["Confirmation number"],
            statement_id=fields["Statement"],
            amount=parsing.money(fields["Amount"], "payment amount"),
            reference=parsing.reference(fields["Reference"]),
            method_last4=parsing.card_last4(fields["Paid with"]),
            method_kind=parsing.method_kind(fields["Paid with"]),
            posted_at=parsing.timestamp(fields["Date"], "payment date"),
        )

    def _summary(self, row: dict[str, str]) -> StatementSummary:
        return StatementSummary(
            statement_id=row["Statement"],
            issued_on=parsing.day(row["Statement date"], "statement date"),
            due_on=parsing.day(row["Due date"], "due date"),
            total=parsing.money(row["Total"], "total"),
            balance=parsing.money(row["Balance due"], "balance due"),
            status=parsing.statement_status(row["Status"]),
        )

    def _line_item(self, row: dict[str, str]) -> LineItem:
        system, code = parsing.procedure_code(row["Code"])
        return LineItem(
            service_date=parsing.day(row["Service date"], "service date"),
            code=code,
            code_system=system,
            description=row["Description"],
            charge=parsing.money(row["Charge"], "charge"),
            patient_responsibility=parsing.money(
                row["Your responsibility"], "patient responsibility"
            ),
        )

    def _path(self) -> str:
        return urlparse(self._page.url).path

    def _check_signed_in(self, response: Response | None, step: str) -> Response | None:
        """Cedar answers a dead session with a redirect to /login (?expired=1)."""
        if self._path() == "/login":
            expired = parse_qs(urlparse(self._page.url).query).get("expired") == ["1"]
            reason = "the session expired" if expired else "the portal asked to sign in again"
            raise SessionExpired(f"{step}: {reason}")
        return response


async def _read_bytes(path: Path) -> bytes:
    return await asyncio.to_thread(path.read_bytes)
