"""PatientcoAdapter: the Patientco staff console behind the shared PortalAdapter contract.

Staff sign in through Patientco ID (OpenID Connect, another origin); the adapter follows the
redirects like a browser (``sso_sign_in``). It reads guarantor accounts, the statement
worklist and settlement exports, posts payments against a statement, and maps what the console
says to typed errors. No Temporal code here.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Literal, cast
from urllib.parse import parse_qs, urlparse

from playwright.async_api import Download, Page, Response

from models.accounts import Account, Encounter, Guarantor
from models.connections import Credentials
from models.errors import (
    AmbiguousPayment,
    AmountExceedsBalance,
    ConfirmationMissing,
    InvalidInput,
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
from models.settlements import SettlementBatch
from models.statements import LineItem, Statement, StatementSummary
from models.vendor_extensions import PatientcoAccountExtension, PatientcoStatementExtension
from portals.navigation import PortalTimeouts, errors_mapped
from portals.one_time_codes import typed_code
from portals.patientco import parsing, settlement_export
from portals.patientco.pages.account_page import AccountPage
from portals.patientco.pages.accounts_page import AccountsPage
from portals.patientco.pages.payment_page import PaymentPage
from portals.patientco.pages.post_payment_page import PostPaymentPage
from portals.patientco.pages.settlements_page import SettlementsPage
from portals.patientco.pages.statement_page import StatementPage
from portals.patientco.pages.statements_page import StatementsPage
from portals.patientco.pages.transactions_page import TransactionsPage
from portals.patientco.refusals import form_refusal
from portals.patientco.sso_sign_in import SsoSignIn
from security.redaction import redactor, remember_account

logger = logging.getLogger(__name__)

MAX_LIST_PAGES = 50
NOT_FOUND = 404
CODE_DIGITS = 6
Channel = Literal["email", "sms", "paper"]
Delivery = Literal["delivered", "bounced", "pending"]


class PatientcoAdapter:
    def __init__(
        self, page: Page, base_url: str, *, timeouts: PortalTimeouts | None = None
    ) -> None:
        self._page = page
        self._base_url = base_url.rstrip("/")
        self._sso = SsoSignIn(page, self._base_url)
        (timeouts or PortalTimeouts()).apply(page)

    async def login(self, credentials: Credentials) -> None:
        challenge = await self._sso.start(credentials, trust_browser=False)
        if challenge is None:
            return
        if challenge.method is MfaMethod.TOTP:
            raise MfaRejected("login: Patientco ID asks for a one-time code but no TOTP secret")
        raise MfaRejected(
            f"login: Patientco ID sent a one-time code by {challenge.method}; "
            "only a person can read it"
        )

    async def start_login(self, credentials: Credentials) -> MfaChallenge | None:
        return await self._sso.start(credentials, trust_browser=True)

    async def submit_mfa_code(self, code: str) -> bool:
        normalized = typed_code(code, CODE_DIGITS)
        if normalized is None:
            await self._sso.current_challenge()  # still MfaRejected if nothing is waiting
            return False  # nothing the portal could accept: keep its attempts
        return await self._sso.submit_code(normalized)

    async def resend_mfa_code(self) -> MfaChallenge:
        return await self._sso.resend_code()

    async def is_signed_in(self) -> bool:
        listing = AccountsPage(self._page, self._base_url)
        await listing.open()
        if not self._sso.on_console("/accounts"):
            return False
        if not await listing.is_shown():
            raise PortalChanged("accounts: the guarantor accounts list is not as expected")
        return True

    async def list_accounts(self) -> list[Account]:
        listing = AccountsPage(self._page, self._base_url)
        self._check_signed_in(await listing.open(), "accounts", "/accounts")
        if not await listing.is_shown():
            raise PortalChanged("accounts: the guarantor accounts list is not as expected")
        rows = await self._all_pages(listing, "accounts")
        accounts = [await self._account(row) for row in rows]
        for account in accounts:
            remember_account(account)  # redacted from logs and errors from now on
        return accounts

    async def list_statements(self) -> list[StatementSummary]:
        listing = StatementsPage(self._page, self._base_url)
        self._check_signed_in(await listing.open(), "statements", "/statements")
        if not await listing.is_shown():
            raise PortalChanged("statements: the statement worklist is not as expected")
        return [_summary(row) for row in await self._all_pages(listing, "statements")]

    async def get_statement(self, statement_id: str) -> Statement:
        detail = await self._open_statement(statement_id, "statement")
        fields = await detail.detail_fields()
        if not fields:
            raise PortalChanged("statement: the statement details are missing")
        items = [_line_item(row) for row in await detail.charge_rows()]
        if not items:
            raise PortalChanged("statement: the itemized charges are missing")
        channel, status = parsing.delivery(fields["Delivery"])
        start, end = parsing.period(fields["Statement period"], "statement period")
        return Statement(
            statement_id=statement_id,
            issued_on=parsing.day(fields["Issued"], "issued"),
            due_on=parsing.day(fields["Due"], "due date"),
            total=parsing.money(fields["Billed"], "billed"),
            balance=parsing.money(fields["Balance"], "balance"),
            status=parsing.statement_status(fields["Status"]),
            account_number=fields["Account #"],
            line_items=items,
            extension=PatientcoStatementExtension(
                period_start=start, period_end=end, delivery_channel=cast(Channel, channel),
                delivery_status=cast(Delivery, status), account_number=fields["Account #"],
            ),
        )  # fmt: skip

    async def find_payment(self, reference: str) -> Payment | None:
        journal = TransactionsPage(self._page, self._base_url)
        self._check_signed_in(await journal.open(), "transactions", "/transactions")
        if not await journal.is_shown():
            raise PortalChanged("transactions: the transactions page is not as expected")
        self._check_signed_in(await journal.search(reference), "transactions", "/transactions")
        if await journal.is_empty():
            return None
        rows = await journal.rows()
        if not rows:
            raise PortalChanged("transactions: neither rows nor 'No transactions match' shown")
        # The search matches any reference containing the text: keep exact payments only.
        matches = [r for r in rows if r["Type"] == "Payment" and r["Reference"] == reference]
        if len(matches) > 1:
            raise AmbiguousPayment(
                f"{len(matches)} payments carry reference {reference}: review them before retrying"
            )
        if not matches:
            return None
        row = matches[0]
        kind, last4 = parsing.payment_method(row["Method"])
        return Payment(
            confirmation_number=row["Transaction ID"],
            statement_id=parsing.applied_to(row["Applied to"]),
            amount=parsing.money(row["Amount"], "payment amount"),
            reference=row["Reference"],
            method_last4=last4,
            method_kind=kind,
            posted_at=parsing.timestamp(row["Posted"], "posted"),
            status=parsing.payment_status(row["Status"]),
        )

    async def submit_payment(self, submission: PaymentSubmission) -> Payment:
        detail = await self._open_statement(submission.statement_id, "pay_form")
        if not await detail.can_post_payment():
            raise AmountExceedsBalance("the statement has no open balance to pay")
        self._check_signed_in(await detail.open_post_payment(), "pay_form", None)
        form = PostPaymentPage(self._page)
        if not await form.is_shown():
            raise PortalChanged("pay_form: the post-payment form is not as expected")
        if not await form.apply_to_statement(submission.statement_id):
            raise AmountExceedsBalance("the statement has no open balance to pay")
        if not await form.choose_method(submission.payment_method_token):
            raise UnknownPaymentMethod("the payment method is not on file for this guarantor")
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
        self._check_signed_in(response, "pay_submit", None)
        posted = PaymentPage(self._page, self._base_url)
        if await posted.is_posted():
            return await self._payment(posted, "pay_submit")
        errors = await form.error_messages()
        if errors:
            raise form_refusal(errors)
        raise PortalChanged("pay_submit: neither 'Payment posted' nor a form error was shown")

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        payment = PaymentPage(self._page, self._base_url)
        response = await payment.open(confirmation_number)
        self._check_signed_in(response, "confirmation", None)
        if (response is not None and response.status == NOT_FOUND) or await payment.is_not_found():
            raise InvalidInput(f"no transaction {confirmation_number} in this Patientco console")
        if not await payment.is_shown():
            raise PortalChanged("confirmation: the transaction page is not as expected")
        download = await payment.download_receipt()
        return ReceiptFile(filename=download.suggested_filename,
                           content=await _downloaded(download, "receipt"))  # fmt: skip

    async def list_settlement_batches(self) -> list[SettlementBatch]:
        listing = SettlementsPage(self._page, self._base_url)
        self._check_signed_in(await listing.open(), "settlements", "/settlements")
        if not await listing.is_shown():
            raise PortalChanged("settlements: the settlement batches page is not as expected")
        if await listing.is_empty():
            return []
        batches = []
        for row in await listing.rows():
            download = await listing.export(row["Batch"])
            text = (await _downloaded(download, "settlement_export")).decode("utf-8")
            batch = settlement_export.parse(text)
            if batch.identifier != row["Batch"]:
                raise PortalChanged("settlement export: the file names another batch")
            batches.append(batch)
        return batches

    async def _account(self, row: dict[str, str]) -> Account:
        detail = AccountPage(self._page, self._base_url)
        number = row["Account #"]
        self._check_signed_in(await detail.open(number), "account", f"/accounts/{number}")
        facts = await detail.guarantor_facts()
        if not facts:
            raise PortalChanged("account: the guarantor details are missing")
        patients = await detail.patients()
        for patient in patients:  # redacted from logs and errors from now on
            redactor.remember(patient["Patient"], kind="name")
            redactor.remember(patient["DOB"], kind="birth_date")
            redactor.remember(patient["MRN"], kind="mrn")
        visits = await detail.encounters()
        own = next((p["MRN"] for p in patients if p["Relationship"] == "Self"), None)
        return Account(
            identifier=facts["Account #"],
            name=facts["Name"],
            status=parsing.account_status(facts["Account status"]),
            guarantor=Guarantor(
                identifier=facts["Guarantor #"], name=facts["Name"],
                birth_date=parsing.day(facts["Date of birth"], "date of birth"), mrn=own,
            ),
            balance=parsing.money(facts["Account balance"], "account balance"),
            encounters=[
                Encounter(identifier=v["Encounter"], facility=v["Facility"],
                          period_start=parsing.day(v["Date of service"], "date of service"),
                          service_type=v["Service line"])
                for v in visits
            ],
            extension=PatientcoAccountExtension(
                facility=visits[0]["Facility"] if visits else None,
                guarantor_number=facts["Guarantor #"],
                patient_mrns=tuple(p["MRN"] for p in patients),
            ),
        )  # fmt: skip

    async def _open_statement(self, statement_id: str, step: str) -> StatementPage:
        detail = StatementPage(self._page, self._base_url)
        response = self._check_signed_in(
            await detail.open(statement_id), step, f"/statements/{statement_id}"
        )
        if (response is not None and response.status == NOT_FOUND) or await detail.is_not_found():
            raise StatementNotFound(f"statement {statement_id} is not in this Patientco console")
        if await detail.heading_text() != f"Statement {statement_id}":
            raise PortalChanged(f"{step}: the page heading does not name the statement")
        return detail

    async def _payment(self, page: PaymentPage, step: str) -> Payment:
        fields = await page.detail_fields()
        if not fields:
            raise PortalChanged(f"{step}: the transaction page has no payment details")
        kind, last4 = parsing.payment_method(fields["Payment method"])
        return Payment(
            confirmation_number=fields["Transaction ID"],
            statement_id=parsing.applied_to(fields["Applied to"]),
            amount=parsing.money(fields["Amount"], "payment amount"),
            reference=parsing.reference(fields["Reference"]),
            method_last4=last4,
            method_kind=kind,
            posted_at=parsing.timestamp(fields["Posted"], "posted"),
            status=parsing.payment_status(fields["Status"]),
        )

    async def _all_pages(
        self, listing: AccountsPage | StatementsPage, step: str
    ) -> list[dict[str, str]]:
        rows = await listing.rows()
        for _ in range(MAX_LIST_PAGES):
            if not await listing.has_next():
                return rows
            self._check_signed_in(await listing.go_next(), step, None)
            rows.extend(await listing.rows())
        raise PortalChanged(f"{step}: more than {MAX_LIST_PAGES} pages")

    def _check_signed_in(
        self, response: Response | None, step: str, expected_path: str | None
    ) -> Response | None:
        """A dead console session ends on ``/login?expired=1`` or at Patientco ID; a live
        Patientco ID session may instead sign in again silently and land on the accounts."""
        url = urlparse(self._page.url)
        if not self._sso.on_console():
            raise SessionExpired(f"{step}: the console sent the browser to sign in again")
        if url.path == "/login":
            expired = parse_qs(url.query).get("expired") == ["1"]
            reason = "the session expired" if expired else "the console asked to sign in again"
            raise SessionExpired(f"{step}: {reason}")
        if expected_path is not None and url.path != expected_path and url.path == "/accounts":
            raise SessionExpired(f"{step}: the console signed in again and lost the page")
        return response


def _summary(row: dict[str, str]) -> StatementSummary:
    start, end = parsing.period(row["Statement period"], "statement period")
    channel, status = parsing.delivery(row["Delivery"])
    return StatementSummary(
        statement_id=row["Statement #"],
        issued_on=parsing.day(row["Issued"], "issued"),
        due_on=parsing.day(row["Due"], "due date"),
        total=parsing.money(row["Billed"], "billed"),
        balance=parsing.money(row["Balance"], "balance"),
        status=parsing.statement_status(row["Status"]),
        extension=PatientcoStatementExtension(
            period_start=start, period_end=end, delivery_channel=cast(Channel, channel),
            delivery_status=cast(Delivery, status), guarantor_number=row["Guarantor #"],
        ),
    )  # fmt: skip


def _line_item(row: dict[str, str]) -> LineItem:
    system, code = parsing.procedure_code(row["CPT/HCPCS"])
    return LineItem(
        service_date=parsing.day(row["DOS"], "date of service"),
        code=code,
        code_system=system,
        description=row["Description"],
        charge=parsing.money(row["Gross charge"], "gross charge"),
        patient_responsibility=parsing.money(row["Guarantor resp."], "guarantor responsibility"),
    )


async def _downloaded(download: Download, step: str) -> bytes:
    async with errors_mapped(step):
        failure = await download.failure()
        if failure is not None:
            raise PortalUnavailable(f"{step}: the download failed ({failure})")
        path = await download.path()
        return await asyncio.to_thread(Path(path).read_bytes)
