"""PatientcoAdapter: the Patientco staff console behind the shared PortalAdapter contract (and
the UnattendedSignIn, AccountReader, StatementLister, SettlementReader and Refunder
capabilities, and PlanManager through the ``PatientcoPlans`` mixin).

Staff sign in through Patientco ID (OpenID Connect, another origin): the shared
``SignInFlow`` over the console's and Patientco ID's pages (``sign_in``). The adapter reads
guarantor accounts, the statement worklist and settlement exports (``settlement_export``),
posts payments against a statement, and turns what the console shows into normalized models
(``parsing``) and typed errors. No Temporal code here.
"""

from __future__ import annotations

from playwright.async_api import Page, Response

from models.accounts import Account
from models.errors import (
    AmountExceedsBalance,
    InvalidInput,
    PortalChanged,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.money import Money
from models.payments import (
    Payment,
    PaymentConfirmation,
    PaymentSubmission,
    ReceiptFile,
    refuse_over_balance,
)
from models.refunds import Refund, RefundablePayment, RefundSubmission
from models.settlements import SettlementBatch, SettlementFile
from models.statements import Statement, StatementSummary
from portals.downloads import downloaded_bytes, downloaded_file, fetched_document
from portals.maintenance import recognise_maintenance
from portals.navigation import PortalTimeouts
from portals.paging import rows_page_by_page
from portals.patientco import parsing, settlement_export
from portals.patientco.maintenance_notice import MAINTENANCE_NOTICE
from portals.patientco.pages.account_page import AccountPage
from portals.patientco.pages.accounts_page import AccountsPage
from portals.patientco.pages.payment_page import PaymentPage
from portals.patientco.pages.post_payment_page import PostPaymentPage
from portals.patientco.pages.settlements_page import SettlementsPage
from portals.patientco.pages.statement_page import StatementPage
from portals.patientco.pages.statements_page import StatementsPage
from portals.patientco.pages.transactions_page import TransactionsPage
from portals.patientco.payment_form_check import PatientcoPaymentFormCheck
from portals.patientco.plans import PatientcoPlans
from portals.patientco.refunds import PatientcoRefunds
from portals.patientco.sign_in import PatientcoSignIn, raise_if_signed_out
from portals.reconciliation import answer_may_be_lost, only_match
from portals.sign_in_flow import SignInFlow, SignsInWithACode
from security.redaction import redactor, remember_account

MAX_LIST_PAGES = 50


class PatientcoAdapter(SignsInWithACode, PatientcoPlans, PatientcoPaymentFormCheck):
    def __init__(
        self, page: Page, base_url: str, *, timeouts: PortalTimeouts | None = None
    ) -> None:
        self._page = page
        self._base_url = base_url.rstrip("/")
        self._console = PatientcoSignIn(page, self._base_url)
        self._sign_in = SignInFlow(self._console)
        self._refunds = PatientcoRefunds(page, self._base_url, self._check_signed_in)
        (timeouts or PortalTimeouts()).apply(page)
        recognise_maintenance(page, MAINTENANCE_NOTICE)

    async def list_accounts(self) -> list[Account]:
        listing = AccountsPage(self._page, self._base_url)
        self._check_signed_in(await listing.open(), "accounts", "/accounts")
        if not await listing.is_shown():
            raise PortalChanged("accounts: the guarantor accounts list is not as expected")
        rows = await self._all_pages(listing, "accounts")
        accounts = [await self._account(row["Account #"]) for row in rows]
        for account in accounts:
            remember_account(account)  # redacted from logs and errors from now on
        return accounts

    async def list_statements(self) -> list[StatementSummary]:
        listing = StatementsPage(self._page, self._base_url)
        self._check_signed_in(await listing.open(), "statements", "/statements")
        if not await listing.is_shown():
            raise PortalChanged("statements: the statement worklist is not as expected")
        rows = await self._all_pages(listing, "statements")
        return [parsing.statement_summary(row) for row in rows]

    async def get_statement(self, statement_id: str) -> Statement:
        detail = await self._open_statement(statement_id, "statement")
        fields = await detail.detail_fields()
        if not fields:
            raise PortalChanged("statement: the statement details are missing")
        items = [parsing.line_item(row) for row in await detail.charge_rows()]
        if not items:
            raise PortalChanged("statement: the itemized charges are missing")
        return parsing.statement(statement_id, fields, items)

    async def find_payment(self, reference: str) -> Payment | None:
        journal = TransactionsPage(self._page, self._base_url)
        # The results at the search form's own address: one navigation, not open + Search.
        response = await journal.open_searched(reference)
        self._check_signed_in(response, "transactions", "/transactions")
        if not await journal.is_shown():
            raise PortalChanged("transactions: the transactions page is not as expected")
        if not await journal.can_search():
            raise PortalChanged("transactions: the transactions search has no search button")
        await journal.require_search_for(reference)
        if await journal.is_empty():
            return None
        rows = await journal.rows()
        if not rows:
            raise PortalChanged("transactions: neither rows nor 'No transactions match' shown")
        # The search matches any reference containing the text: keep exact payments only.
        matches = [r for r in rows if r["Type"] == "Payment" and r["Reference"] == reference]
        row = only_match(matches, reference)
        # Only rows whose reference is exactly ours are left, so never the "(none)" placeholder.
        return parsing.payment(row, method="Method") if row is not None else None

    async def submit_payment(self, submission: PaymentSubmission) -> PaymentConfirmation:
        detail = await self._open_statement(submission.statement_id, "pay_form")
        # The balance on the page the payment passes anyway: no statement read of its own.
        balance = await self._balance_due(detail)
        refuse_over_balance(submission.amount, balance, submission.statement_id)
        if not await detail.can_post_payment():
            raise AmountExceedsBalance("the statement has no open balance to pay")
        self._check_signed_in(await detail.open_post_payment(), "pay_form", None)
        form = PostPaymentPage(self._page)
        if not await form.is_shown():
            raise PortalChanged("pay_form: the post-payment form is not as expected")
        if not await form.has_submit_button():
            # Checked before anything is filled in: nothing is submitted on a changed form.
            raise PortalChanged("pay_form: the post-payment form has no submit button")
        if not await form.apply_to_statement(submission.statement_id):
            raise AmountExceedsBalance("the statement has no open balance to pay")
        if not await form.choose_method(submission.payment_method_token):
            raise UnknownPaymentMethod("the payment method is not on file for this guarantor")
        await form.enter_amount(parsing.form_amount(submission.amount.amount_cents))
        await form.enter_reference(submission.reference)
        async with answer_may_be_lost(submission.reference):
            response = await form.submit()
        self._check_signed_in(response, "pay_submit", None)
        posted = PaymentPage(self._page, self._base_url)
        if await posted.is_posted():
            fields = await posted.detail_fields()
            if not fields:
                raise PortalChanged("pay_submit: the transaction page has no payment details")
            return PaymentConfirmation(
                payment=parsing.payment(fields, method="Payment method"),
                balance_after=parsing.balance_remaining(fields),
            )
        errors = await form.error_messages()
        if errors:
            raise parsing.pay_form_refusal(errors)
        raise PortalChanged("pay_submit: neither 'Payment posted' nor a form error was shown")

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        payment = PaymentPage(self._page, self._base_url)
        # The PDF over the session's HTTP client: no page to render, no download to await.
        url = payment.receipt_url(confirmation_number)
        fetched = await fetched_document(self._page, url, PaymentPage.RECEIPT_STEP)
        if fetched is not None:
            return fetched
        # Anything but the PDF: the page says what it was (signed out, not found, changed).
        response = await payment.open(confirmation_number)
        self._check_signed_in(response, "confirmation", None)
        if await payment.is_missing(response):
            raise InvalidInput(f"no transaction {confirmation_number} in this Patientco console")
        if not await payment.is_shown():
            raise PortalChanged("confirmation: the transaction page is not as expected")
        return await downloaded_file(await payment.download_receipt(), "receipt")

    async def list_settlement_batches(self) -> list[SettlementBatch]:
        return [
            self.parse_settlement_file(export.name, export.content)
            for export in await self.download_settlement_exports()
        ]

    async def download_settlement_exports(self) -> list[SettlementFile]:
        listing = SettlementsPage(self._page, self._base_url)
        self._check_signed_in(await listing.open(), "settlements", "/settlements")
        if not await listing.is_shown():
            raise PortalChanged("settlements: the settlement batches page is not as expected")
        if await listing.is_empty():
            return []
        exports = []
        for row in await listing.rows():
            download = await listing.export(row["Batch"])
            content = await downloaded_bytes(download, "settlement_export")
            if self.parse_settlement_file(row["Batch"], content).identifier != row["Batch"]:
                raise PortalChanged("settlement export: the file names another batch")
            exports.append(SettlementFile(name=settlement_export.filename(row["Batch"]),
                                          content=content))  # fmt: skip
        return exports

    @staticmethod
    def parse_settlement_file(name: str, content: bytes) -> SettlementBatch:
        try:
            return settlement_export.parse(content.decode("utf-8"))
        except UnicodeDecodeError:
            raise PortalChanged(f"settlement export {name}: not text") from None

    async def find_refund(self, reference: str) -> Refund | None:
        return await self._refunds.find_refund(reference)

    async def refundable_payment(self, confirmation_number: str) -> RefundablePayment:
        return await self._refunds.refundable_payment(confirmation_number)

    async def void_payment(self, submission: RefundSubmission) -> Refund:
        return await self._refunds.reverse(submission)

    async def refund_payment(self, submission: RefundSubmission) -> Refund:
        return await self._refunds.reverse(submission)

    async def _account(self, number: str) -> Account:
        detail = AccountPage(self._page, self._base_url)
        self._check_signed_in(await detail.open(number), "account", f"/accounts/{number}")
        facts = await detail.guarantor_facts()
        if not facts:
            raise PortalChanged("account: the guarantor details are missing")
        patients = await detail.patients()
        for patient in patients:  # redacted from logs and errors from now on
            redactor.remember(patient["Patient"], kind="name")
            redactor.remember(patient["DOB"], kind="birth_date")
            redactor.remember(patient["MRN"], kind="mrn")
        return parsing.account(facts, patients, await detail.encounters())

    async def _open_statement(self, statement_id: str, step: str) -> StatementPage:
        detail = StatementPage(self._page, self._base_url)
        response = self._check_signed_in(
            await detail.open(statement_id), step, f"/statements/{statement_id}"
        )
        if await detail.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this Patientco console")
        if not await detail.names_statement(statement_id):
            raise PortalChanged(f"{step}: the page heading does not name the statement")
        return detail

    @staticmethod
    async def _balance_due(detail: StatementPage) -> Money:
        fields = await detail.detail_fields()
        if "Balance" not in fields:
            raise PortalChanged("pay_form: the statement page does not show its balance")
        return parsing.money(fields["Balance"], "balance")

    async def _all_pages(
        self, listing: AccountsPage | StatementsPage, step: str
    ) -> list[dict[str, str]]:
        pages = rows_page_by_page(
            listing,
            max_pages=MAX_LIST_PAGES,
            after_next=lambda response: self._check_signed_in(response, step, None),
        )
        return [row async for rows in pages for row in rows]

    def _check_signed_in(
        self, response: Response | None, step: str, expected_path: str | None
    ) -> Response | None:
        raise_if_signed_out(self._page, self._console.console_origin, step, expected_path)
        return response
