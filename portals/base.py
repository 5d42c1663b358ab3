"""The contract every portal adapter implements, whatever the vendor, and the optional
capabilities some portals add.

An adapter drives one browser page of one portal. It holds no Temporal code and makes
no business decisions (the workflow decides whether to pay; the adapter only knows how).
It raises the typed errors of ``models.errors``: PortalChanged when a page does not look
as expected, never a guess.

``PortalAdapter`` is what the activities call. Everything else is a protocol of its own,
checked with ``isinstance`` by the code that needs it: a portal without settlement batches
simply is not a ``SettlementReader``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from playwright.async_api import Page

from models.accounts import Account
from models.connections import Credentials
from models.deposits import Deposit, DepositSubmission
from models.estimates import Estimate
from models.payments import Payment, PaymentConfirmation, PaymentSubmission, ReceiptFile
from models.plans import PaymentPlan, PlanChange, PlanEnrollment, PlanRules
from models.refunds import Refund, RefundablePayment, RefundSubmission
from models.sessions import MfaChallenge
from models.settlements import SettlementBatch, SettlementFile, SftpLogin
from models.statements import Statement, StatementSummary


class PortalAdapter(Protocol):
    def __init__(self, page: Page, base_url: str) -> None: ...

    async def start_login(self, credentials: Credentials) -> MfaChallenge | None:
        """Fill in username and password; stop at a code only a person can read.

        None once signed in: the portal skipped the code (a remembered device) or asked for a
        TOTP code answered from ``credentials.totp_secret``, ticking "remember this device".
        Otherwise the challenge, with nothing submitted yet: the browser's storage state now
        holds the pending sign-in, and ``submit_mfa_code`` may finish it in another context.
        BadCredentials and AccountLocked when the portal refuses the password.
        """

    async def submit_mfa_code(self, code: str) -> bool:
        """Enter a code on the pending sign-in (opening the code screen if needed), asking the
        portal to remember this device.

        True once signed in; False if the portal says the code is wrong and still waits.
        MfaCodeExpired: the code is too old, ``resend_mfa_code`` and ask again.
        MfaRejected: the portal gave up on this sign-in (too many codes, or it timed out).
        """

    async def resend_mfa_code(self) -> MfaChallenge:
        """Ask the portal for a new code (the earlier one stops working); MfaRejected if no
        sign-in is waiting any more."""

    async def get_statement(self, statement_id: str) -> Statement:
        """One statement with its line items; StatementNotFound if the portal has none."""

    async def find_payment(self, reference: str) -> Payment | None:
        """The payment carrying our client reference in the portal's history, if any."""

    async def submit_payment(self, submission: PaymentSubmission) -> PaymentConfirmation:
        """Fill in and submit the pay form (card or bank account, on file or in the
        processor's hosted fields); return the confirmation page's payment, and the
        statement's balance after it where the confirmation shows one.

        Raises AmountExceedsBalance, before anything is filled in, when the amount is over
        the balance due the flow shows on its way (the pay form, or the statement page it
        starts from); a flow that does not show it is PortalChanged.
        Raises ConfirmationMissing when the submit went out but no confirmation came back:
        the caller must reconcile with ``find_payment`` before submitting again.
        PaymentDeclined / InsufficientFunds when the processor refused the charge (nothing
        posted); UnknownPaymentMethod when the token is not usable on this account.
        """

    async def download_receipt(self, confirmation_number: str) -> ReceiptFile:
        """The receipt document of a posted payment."""


@runtime_checkable
class UnattendedSignIn(Protocol):
    """Signing in where no person is needed, and checking a restored session (every portal
    today; tools, tests and the coming sync workflows)."""

    async def login(self, credentials: Credentials) -> None:
        """Sign in, answering a TOTP challenge from ``credentials.totp_secret`` if asked.

        MfaRejected if the portal wants a code only a person can read: use ``start_login``.
        BadCredentials and AccountLocked as for ``start_login``.
        """

    async def is_signed_in(self) -> bool:
        """Whether this browser's session is still signed in (False: the portal expired it)."""


@runtime_checkable
class PaymentFormInspector(Protocol):
    """Portals whose pay form can be walked without paying (every portal today): the
    connection canary's look at what ``submit_payment`` will need."""

    async def inspect_payment_form(self, statement_id: str) -> None:
        """Open the statement's pay form through every checkout step up to, never including,
        the one that moves money, and check it has what ``submit_payment`` fills and clicks
        (amount, method choice, reference, the submit button visible).

        PortalChanged naming what is missing; StatementNotFound if the portal has no such
        statement. Nothing is submitted.
        """


@runtime_checkable
class AccountReader(Protocol):
    """Portals that show the login's accounts and guarantors (every portal today)."""

    async def list_accounts(self) -> list[Account]:
        """Every account the signed-in login sees, each with its guarantor (a patient portal:
        the patient's own; a staff portal: every guarantor account)."""


@runtime_checkable
class StatementLister(Protocol):
    """Portals that list statements (every portal today)."""

    async def list_statements(self) -> list[StatementSummary]:
        """Every statement the signed-in login sees, all pages."""


@runtime_checkable
class StatementPdfReader(Protocol):
    """Portals that publish a statement as a PDF document (HealthPay24)."""

    async def download_statement_pdf(self, statement_id: str) -> ReceiptFile:
        """The statement as the portal's PDF document."""


@runtime_checkable
class SettlementReader(Protocol):
    """Portals that publish settlement batches (Patientco)."""

    async def list_settlement_batches(self) -> list[SettlementBatch]:
        """Every settlement batch with its transactions (from the portal's CSV export)."""

    async def download_settlement_exports(self) -> list[SettlementFile]:
        """Each batch's CSV export as downloaded, to be kept as it came."""

    @staticmethod
    def parse_settlement_file(name: str, content: bytes) -> SettlementBatch:
        """One export as a batch; PortalChanged when it is not laid out as expected."""


@runtime_checkable
class SettlementFileReader(Protocol):
    """Portals that deliver daily settlement files over SFTP (HealthPay24): fetched and read
    without a browser, so both are static."""

    @staticmethod
    async def download_settlement_files(
        login: SftpLogin, *, skip: frozenset[str] = frozenset()
    ) -> list[SettlementFile]:
        """The files in the settlement folder, but those named in ``skip``."""

    @staticmethod
    def parse_settlement_file(name: str, content: bytes) -> SettlementBatch:
        """One file as a settled batch; PortalChanged when it is not laid out as expected."""


@runtime_checkable
class EstimateReader(Protocol):
    """Portals that publish pre-service estimates (HealthPay24)."""

    async def list_estimates(self) -> list[Estimate]:
        """Every estimate of the signed-in patient, with its procedure lines."""


@runtime_checkable
class PlanManager(Protocol):
    """Portals that enroll payment plans with autopay (every portal)."""

    async def plan_rules(self, statement_id: str) -> PlanRules:
        """The plan rules for this statement's balance; StatementNotFound if none."""

    async def find_plan(self, reference: str) -> PaymentPlan | None:
        """The plan carrying our client reference, if the portal has one (looked up before
        every enrollment, so a retried enrollment never makes a second plan)."""

    async def enroll_plan(self, enrollment: PlanEnrollment) -> PaymentPlan:
        """Enroll with autopay; ConfirmationMissing if the submit went out unanswered."""

    async def get_plan(self, plan_id: str) -> PaymentPlan:
        """The plan with every installment and its draft status."""

    async def change_plan(self, plan_id: str, change: PlanChange) -> PaymentPlan:
        """A new installment amount and/or payment method, as the portal accepted it."""

    async def cancel_plan(self, plan_id: str) -> PaymentPlan:
        """Stop autopay and end the plan (what is owed stays on the statement)."""


@runtime_checkable
class PlanPauser(Protocol):
    """Portals that pause and resume a plan's autopay (HealthPay24)."""

    async def pause_plan(self, plan_id: str) -> PaymentPlan: ...

    async def resume_plan(self, plan_id: str) -> PaymentPlan: ...


@runtime_checkable
class DepositTaker(Protocol):
    """Portals that collect deposits on estimates and apply them once billed (HealthPay24)."""

    async def get_estimate(self, estimate_id: str) -> Estimate:
        """One estimate with its procedures; EstimateNotFound if the login has none such."""

    async def find_deposit(self, reference: str) -> Deposit | None:
        """The deposit carrying our client reference, if any (looked up before every
        submit); AmbiguousPayment when more than one does."""

    async def pay_deposit(self, submission: DepositSubmission) -> Deposit:
        """Pay the estimate's deposit; ConfirmationMissing if the submit went unanswered,
        DepositNotDue when the estimate asks none."""

    async def get_deposit(self, deposit_id: str) -> Deposit:
        """The deposit as it stands: held, or applied to a statement of its encounter."""


@runtime_checkable
class Refunder(Protocol):
    """Portals that void unsettled payments and refund settled ones, in full or in part,
    with a reason code and our reference in the reason/memo field (Patientco, HealthPay24)."""

    async def find_refund(self, reference: str) -> Refund | None:
        """The void or refund carrying our client reference, if the portal has one (looked up
        before every submit, so a retried refund never gives money back twice)."""

    async def refundable_payment(self, confirmation_number: str) -> RefundablePayment:
        """What is left of the payment and whether the portal offers a void or a refund now;
        InvalidInput if the portal has no such payment."""

    async def void_payment(self, submission: RefundSubmission) -> Refund:
        """Void the whole payment before it settles; ConfirmationMissing if the submit went
        out unanswered, PaymentNotRefundable if the portal no longer offers the void."""

    async def refund_payment(self, submission: RefundSubmission) -> Refund:
        """Refund part or all of a settled payment; ConfirmationMissing if the submit went out
        unanswered, RefundExceedsNet if the portal refuses the amount."""
