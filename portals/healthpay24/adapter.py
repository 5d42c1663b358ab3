"""HealthPay24Adapter: the HealthPay24 patient portal behind the shared PortalAdapter contract
(and the UnattendedSignIn, AccountReader, StatementLister, StatementPdfReader,
EstimateReader, DepositTaker, PlanManager, PlanPauser and Refunder capabilities).

Drives the page objects, turns what they read into normalized models (``parsing``) and what
the portal says into typed errors. Signing in is the shared ``SignInFlow`` over HealthPay24's
pages (``sign_in``); paying is the three-step hosted-fields ``checkout``, a deposit the
one-page ``deposit_checkout``; payment plans are ``payment_plans``. No Temporal code here.
"""

from __future__ import annotations

from playwright.async_api import Page

from models.accounts import Account
from models.deposits import Deposit, DepositSubmission
from models.errors import EstimateNotFound, InvalidInput, PortalChanged, StatementNotFound
from models.estimates import Estimate
from models.payments import Payment, PaymentConfirmation, PaymentSubmission, ReceiptFile
from models.plans import PaymentPlan, PlanChange, PlanEnrollment, PlanRules
from models.refunds import Refund, RefundablePayment, RefundSubmission
from models.statements import Statement, StatementSummary
from portals.downloads import downloaded_file, fetched_document
from portals.healthpay24 import parsing, settlement_file, settlement_sftp
from portals.healthpay24.checkout import Checkout
from portals.healthpay24.deposit_checkout import DepositCheckout
from portals.healthpay24.maintenance_notice import MAINTENANCE_NOTICE
from portals.healthpay24.pages.account_page import AccountPage
from portals.healthpay24.pages.accounts_page import AccountsPage
from portals.healthpay24.pages.deposit_page import DepositPage
from portals.healthpay24.pages.deposits_page import DepositsPage
from portals.healthpay24.pages.estimates_page import EstimatesPage
from portals.healthpay24.pages.payment_activity_page import PaymentActivityPage
from portals.healthpay24.pages.receipt_page import ReceiptPage
from portals.healthpay24.pages.statement_page import StatementPage
from portals.healthpay24.payment_form_check import HealthPay24PaymentFormCheck
from portals.healthpay24.payment_plans import PaymentPlans
from portals.healthpay24.refunds import HealthPay24Refunds
from portals.healthpay24.sign_in import HealthPay24SignIn, raise_if_signed_out
from portals.maintenance import recognise_maintenance
from portals.navigation import PortalTimeouts
from portals.reconciliation import only_match
from portals.sign_in_flow import SignInFlow, SignsInWithACode
from security.redaction import remember_account


class HealthPay24Adapter(SignsInWithACode):
    def __init__(
        self, page: Page, base_url: str, *, timeouts: PortalTimeouts | None = None
    ) -> None:
        self._page = page
        self._base_url = base_url.rstrip("/")
        self._sign_in = SignInFlow(HealthPay24SignIn(page, self._base_url))
        self._plans = PaymentPlans(page, self._base_url)
        (timeouts or PortalTimeouts()).apply(page)
        recognise_maintenance(page, MAINTENANCE_NOTICE)

    # Settlement files come over SFTP, not through the pages (SettlementFileReader).
    download_settlement_files = staticmethod(settlement_sftp.download_settlement_files)
    parse_settlement_file = staticmethod(settlement_file.parse)

    async def list_accounts(self) -> list[Account]:
        accounts = []
        for row in await self._account_rows():
            number = row["Account number"]
            details = await self._open_account(number)
            fields = await details.detail_fields()
            if not fields:
                raise PortalChanged("account: the account details are missing")
            account = parsing.account(number, fields, await details.visit_rows())
            remember_account(account)  # redacted from logs and errors from now on
            accounts.append(account)
        return accounts

    async def list_statements(self) -> list[StatementSummary]:
        summaries: list[StatementSummary] = []
        for row in await self._account_rows():
            number = row["Account number"]
            details = await self._open_account(number)
            summaries.extend(
                parsing.statement_summary(statement, number)
                for statement in await details.statement_rows()
            )
        return summaries

    async def get_statement(self, statement_id: str) -> Statement:
        detail = await self._open_statement(statement_id)
        fields = await detail.summary_fields()
        if not fields:
            raise PortalChanged("statement: the statement summary is missing")
        charges = await detail.charge_rows()
        if not charges:
            raise PortalChanged("statement: the itemized charges are missing")
        return parsing.statement(statement_id, fields, charges, await detail.has_pdf())

    async def download_statement_pdf(self, statement_id: str) -> ReceiptFile:
        """The statement as the portal's PDF document."""
        detail = await self._open_statement(statement_id)
        if not await detail.has_pdf():
            raise PortalChanged("statement: no PDF download is offered")
        return await downloaded_file(await detail.download_pdf(), "statement_pdf")

    async def list_estimates(self) -> list[Estimate]:
        listing = EstimatesPage(self._page, self._base_url)
        await listing.open()
        raise_if_signed_out(self._page, "estimates")
        if not await listing.is_shown():
            raise PortalChanged("estimates: the cost estimates page is not as expected")
        found = await listing.estimates()
        if not found and not await listing.has_none():
            raise PortalChanged("estimates: neither estimates nor 'no cost estimates' are shown")
        return [parsing.estimate(number, fields, rows) for number, fields, rows in found]

    async def get_estimate(self, estimate_id: str) -> Estimate:
        for estimate in await self.list_estimates():
            if estimate.identifier == estimate_id:
                return estimate
        raise EstimateNotFound(f"estimate {estimate_id} is not in this HealthPay24 login")

    async def find_deposit(self, reference: str) -> Deposit | None:
        listing = DepositsPage(self._page, self._base_url)
        # The results at the search form's own address: one navigation, not open + Search.
        await listing.open_searched(reference)
        raise_if_signed_out(self._page, "deposits")
        if not await listing.is_shown():
            raise PortalChanged("deposits: the deposits page is not as expected")
        await listing.require_search_for(reference)
        if await listing.is_empty():
            return None
        rows = await listing.rows()
        if not rows:
            raise PortalChanged("deposits: neither deposits nor 'no deposits' are shown")
        # The search finds notes *containing* the text: only an exact note is ours.
        matches = [row for row in rows if parsing.note(row["Deposit note"]) == reference]
        row = only_match(matches, reference)
        return None if row is None else await self.get_deposit(row["Deposit"])

    async def pay_deposit(self, submission: DepositSubmission) -> Deposit:
        return await DepositCheckout(self._page, self._base_url).pay(submission)

    async def get_deposit(self, deposit_id: str) -> Deposit:
        detail = DepositPage(self._page, self._base_url)
        response = await detail.open(deposit_id)
        raise_if_signed_out(self._page, "deposits")
        if await detail.is_missing(response):
            raise InvalidInput(f"no deposit {deposit_id} in this HealthPay24 login")
        if await detail.heading_text() != f"Deposit {deposit_id}":
            raise PortalChanged("deposit: the page heading does not name the deposit")
        fields = await detail.deposit_fields()
        if not fields:
            raise PortalChanged("deposit: the deposit details are missing")
        return parsing.deposit(deposit_id, fields)

    async def find_payment(self, reference: str) -> Payment | None:
        activity = PaymentActivityPage(self._page, self._base_url)
        # The results at the search form's own address: one page load, not open + search.
        await activity.open_searched(reference)
        raise_if_signed_out(self._page, "history")
        if not await activity.is_shown():
            raise PortalChanged("history: the payment activity page is not as expected")
        await activity.require_search_for(reference)
        if await activity.is_empty():
            return None
        rows = await activity.rows()
        if not rows:
            raise PortalChanged("history: neither payments nor 'no payments' are shown")
        # The portal's search finds notes *containing* the text: only an exact note is ours.
        matches = [row for row in rows if row["Payment note"].strip() == reference]
        row = only_match(matches, reference)
        if row is None:
            return None
        return parsing.payment(row, confirmation="Confirmation", amount="Amount")

    async def submit_payment(self, submission: PaymentSubmission) -> PaymentConfirmation:
        statement = await self._open_statement(submission.statement_id)
        return await Checkout(self._page, self._base_url).pay(submission, statement)

    async def inspect_payment_form(self, statement_id: str) -> None:
        await HealthPay24PaymentFormCheck(self._page, self._base_url).inspect(statement_id)

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        receipt = ReceiptPage(self._page, self._base_url)
        # The PDF over the session's HTTP client: no page to render, no download to await.
        url = receipt.pdf_url(confirmation_number)
        fetched = await fetched_document(self._page, url, ReceiptPage.PDF_STEP)
        if fetched is not None:
            return fetched
        # Anything but the PDF: the page says what it was (signed out, not found, changed).
        await receipt.open(confirmation_number)
        raise_if_signed_out(self._page, "receipt")
        if await receipt.is_not_found():
            raise InvalidInput(f"no payment {confirmation_number} in this HealthPay24 login")
        if not await receipt.is_shown():
            raise PortalChanged("receipt: the receipt page is not as expected")
        return await downloaded_file(await receipt.download_pdf(), "receipt_pdf")

    async def plan_rules(self, statement_id: str) -> PlanRules:
        return await self._plans.rules(statement_id)

    async def find_plan(self, reference: str) -> PaymentPlan | None:
        return await self._plans.find(reference)

    async def enroll_plan(self, enrollment: PlanEnrollment) -> PaymentPlan:
        return await self._plans.enroll(enrollment)

    async def get_plan(self, plan_id: str) -> PaymentPlan:
        return await self._plans.get(plan_id)

    async def change_plan(self, plan_id: str, change: PlanChange) -> PaymentPlan:
        return await self._plans.change(plan_id, change)

    async def cancel_plan(self, plan_id: str) -> PaymentPlan:
        return await self._plans.cancel(plan_id)

    async def pause_plan(self, plan_id: str) -> PaymentPlan:
        return await self._plans.pause(plan_id)

    async def resume_plan(self, plan_id: str) -> PaymentPlan:
        return await self._plans.resume(plan_id)

    async def find_refund(self, reference: str) -> Refund | None:
        return await HealthPay24Refunds(self._page, self._base_url).find_refund(reference)

    async def refundable_payment(self, confirmation_number: str) -> RefundablePayment:
        refunds = HealthPay24Refunds(self._page, self._base_url)
        return await refunds.refundable_payment(confirmation_number)

    async def void_payment(self, submission: RefundSubmission) -> Refund:
        return await HealthPay24Refunds(self._page, self._base_url).reverse(submission)

    async def refund_payment(self, submission: RefundSubmission) -> Refund:
        return await HealthPay24Refunds(self._page, self._base_url).reverse(submission)

    async def _open_statement(self, statement_id: str) -> StatementPage:
        detail = StatementPage(self._page, self._base_url)
        response = await detail.open(statement_id)
        raise_if_signed_out(self._page, "statement")
        if await detail.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this HealthPay24 login")
        if await detail.heading_text() != f"Statement {statement_id}":
            raise PortalChanged("statement: the page heading does not name the statement")
        return detail

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
        if await details.is_missing(response):
            raise PortalChanged("account: an account listed on the accounts page is not found")
        if await details.heading_text() != f"Account {number}":
            raise PortalChanged("account: the page heading does not name the account")
        return details
