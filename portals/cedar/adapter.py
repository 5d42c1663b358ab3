"""CedarAdapter: the Cedar patient portal behind the shared PortalAdapter contract (and the
UnattendedSignIn, AccountReader and StatementLister capabilities, and PlanManager through
the ``CedarPlans`` mixin).

Drives the page objects, turns what they read into normalized models (``parsing``) and what
the portal says into typed errors. Signing in is the shared ``SignInFlow`` over Cedar's pages
(``sign_in``). No Temporal code here.
"""

from __future__ import annotations

from playwright.async_api import Page, Response

from models.accounts import Account, AccountStatus, Guarantor
from models.errors import (
    InvalidInput,
    PortalChanged,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.payments import (
    Payment,
    PaymentConfirmation,
    PaymentSubmission,
    ReceiptFile,
    refuse_over_balance,
)
from models.statements import Statement, StatementSummary
from portals.cedar import parsing
from portals.cedar.maintenance_notice import MAINTENANCE_NOTICE
from portals.cedar.pages.account_page import AccountPage
from portals.cedar.pages.confirmation_page import ConfirmationPage
from portals.cedar.pages.payment_history_page import PaymentHistoryPage
from portals.cedar.pages.payment_page import PaymentPage
from portals.cedar.pages.statement_page import StatementPage
from portals.cedar.pages.statements_page import StatementsPage
from portals.cedar.payment_form_check import CedarPaymentFormCheck
from portals.cedar.plans import CedarPlans
from portals.cedar.sign_in import CedarSignIn, raise_if_signed_out
from portals.downloads import downloaded_file, fetched_document
from portals.maintenance import recognise_maintenance
from portals.navigation import PortalTimeouts
from portals.paging import rows_page_by_page
from portals.reconciliation import answer_may_be_lost, only_match
from portals.sign_in_flow import SignInFlow, SignsInWithACode
from security.redaction import remember_account

MAX_STATEMENT_PAGES = 50


class CedarAdapter(SignsInWithACode, CedarPlans, CedarPaymentFormCheck):
    def __init__(
        self, page: Page, base_url: str, *, timeouts: PortalTimeouts | None = None
    ) -> None:
        self._page = page
        self._base_url = base_url.rstrip("/")
        self._sign_in = SignInFlow(CedarSignIn(page, self._base_url))
        (timeouts or PortalTimeouts()).apply(page)
        recognise_maintenance(page, MAINTENANCE_NOTICE)

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
        pages = rows_page_by_page(
            listing,
            max_pages=MAX_STATEMENT_PAGES,
            after_next=lambda response: self._check_signed_in(response, "statements"),
        )
        return [parsing.statement_summary(row) async for rows in pages for row in rows]

    async def get_statement(self, statement_id: str) -> Statement:
        detail = StatementPage(self._page, self._base_url)
        response = self._check_signed_in(await detail.open(statement_id), "statement")
        if await detail.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this Cedar account")
        if await detail.heading_text() != f"Statement {statement_id}":
            raise PortalChanged("statement: the page heading does not name the statement")
        fields = await detail.summary_fields()
        if not fields:
            raise PortalChanged("statement: the statement summary is missing")
        items = [parsing.line_item(row) for row in await detail.line_items()]
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
        # The search form's own GET address: the results in one navigation, not two.
        self._check_signed_in(await history.open_searched(reference), "history")
        if not await history.is_shown():
            raise PortalChanged("history: the payment history page is not as expected")
        await history.require_search_for(reference)
        if await history.is_empty():
            return None
        rows = await history.rows()
        if not rows:
            raise PortalChanged("history: neither payments nor 'No payments found' are shown")
        matches = [row for row in rows if parsing.reference(row["Reference"]) == reference]
        row = only_match(matches, reference)
        return parsing.payment(row, "Confirmation") if row is not None else None

    async def submit_payment(self, submission: PaymentSubmission) -> PaymentConfirmation:
        form = PaymentPage(self._page, self._base_url)
        response = self._check_signed_in(await form.open(submission.statement_id), "pay_form")
        if await form.is_missing(response):
            raise StatementNotFound(
                f"statement {submission.statement_id} is not in this Cedar account"
            )
        if not await form.is_shown():
            raise PortalChanged("pay_form: the payment form is not as expected")
        await self._check_balance_due(form, submission)
        if not await form.choose_payment_method(submission.payment_method_token):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        await form.enter_amount(parsing.form_amount(submission.amount.amount_cents))
        await form.enter_reference(submission.reference)
        async with answer_may_be_lost(submission.reference):
            response = await form.submit()
        self._check_signed_in(response, "pay_submit")
        confirmation = ConfirmationPage(self._page, self._base_url)
        if await confirmation.is_shown():
            fields = await confirmation.detail_fields()
            if not fields:
                raise PortalChanged("pay_submit: the confirmation page has no payment details")
            return PaymentConfirmation(
                payment=parsing.payment(fields, "Confirmation number"),
                balance_after=parsing.balance_after(fields),
            )
        errors = await form.error_messages()
        if errors:
            raise parsing.pay_form_refusal(errors)
        raise PortalChanged("pay_submit: neither a confirmation nor a form error was shown")

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        confirmation = ConfirmationPage(self._page, self._base_url)
        # The PDF over the session's HTTP client: no page to render, no download to await.
        url = confirmation.receipt_url(confirmation_number)
        fetched = await fetched_document(self._page, url, ConfirmationPage.RECEIPT_STEP)
        if fetched is not None:
            return fetched
        # Anything but the PDF: the page says what it was (signed out, not found, changed).
        self._check_signed_in(await confirmation.open(confirmation_number), "confirmation")
        if await confirmation.is_not_found():
            raise InvalidInput(f"no payment {confirmation_number} in this Cedar account")
        if not await confirmation.is_shown():
            raise PortalChanged("confirmation: the payment confirmation is not as expected")
        return await downloaded_file(await confirmation.download_receipt(), "receipt")

    async def _check_balance_due(self, form: PaymentPage, submission: PaymentSubmission) -> None:
        """Before anything is filled in: the pay form shows the balance due on the way anyway,
        so the activity needs no statement page of its own to check the amount."""
        shown = await form.balance_due_text()
        if shown is None:
            raise PortalChanged("pay_form: the payment form shows no balance due")
        balance = parsing.pay_form_balance(shown)
        refuse_over_balance(submission.amount, balance, submission.statement_id)

    def _check_signed_in(self, response: Response | None, step: str) -> Response | None:
        raise_if_signed_out(self._page, step)
        return response
