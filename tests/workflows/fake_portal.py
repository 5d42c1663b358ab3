"""The browser activities replaced by an in-memory portal, under the real activity names.

The workflows cannot tell the difference: each fake is registered with the name and the
payload models of the activity it stands in for (see ``workers/registry.py``). A test
scripts the portal's behaviour before it starts a workflow and reads what was called after.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from temporalio import activity

from models.audit import AuditReceipt, AuditRecord
from models.connection_session import (
    BeginLogin,
    CodeEntry,
    CodeOutcome,
    DiscardStates,
    LoginStep,
    ResendRequest,
    SessionLease,
)
from models.errors import (
    AmountExceedsBalance,
    BadCredentials,
    ConfirmationMissing,
    MfaCodeExpired,
    SessionExpired,
)
from models.events import Event
from models.maintenance import PortalMaintenance
from models.money import Money
from models.payments import (
    PaidStatement,
    Payment,
    PaymentRecord,
    PaymentRecorded,
    PayStatementInput,
    PostedPayment,
    PostPaymentInput,
    ReceiptRequest,
    StatementLookup,
    StoredArtifact,
)
from models.sessions import MfaChallenge, MfaMethod
from models.statements import Statement, StatementStatus

POSTED_AT = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


class FakePortal:
    """One portal connection's browser work, scripted.

    Sign-ins hand out fresh state ids (``state-1``, ``state-2``…); every step records the
    state it ran on, so a test sees which session a renewed step used.
    """

    def __init__(self) -> None:
        self.balance_cents = 25_000
        # Step name -> how many of its next calls find the portal session expired.
        self.expiring: Counter[str] = Counter()
        self.post_failure: Exception | None = None
        self.receipt_failure: Exception | None = None  # raised by download_receipt
        # The next N submits record the payment, then the confirmation page never arrives.
        self.lost_confirmations = 0
        self.refused_passwords = 0  # the next N sign-ins raise BadCredentials
        self.login_failure: Exception | None = None  # every sign-in raises it (PortalChanged)
        self.mfa: MfaMethod | None = None  # sign-ins stop at a challenge of this kind
        self.code_failure: Exception | None = None  # every code submitted raises it
        self.right_code = "246810"
        self.expired_code = "135790"  # a code the portal says has expired
        # Step name -> how many of its next calls meet the portal's maintenance window.
        self.in_maintenance: Counter[str] = Counter()
        self.maintenance = PortalMaintenance(
            until=datetime(2026, 12, 3, 2, 30, tzinfo=UTC), retry_after_seconds=1800
        )

        self.ledger: dict[str, Payment] = {}  # reference -> the payment the portal holds

        self.calls: Counter[str] = Counter()
        self.leases: defaultdict[str, list[str]] = defaultdict(list)  # step -> state ids
        self.discarded: list[str] = []
        self.audit: list[AuditRecord] = []
        self.recorded_payments: list[PaymentRecord] = []
        self.events: list[Event] = []
        self._state_ids = (f"state-{n}" for n in itertools.count(1))
        self._confirmations = (f"CONF-{n:04d}" for n in itertools.count(1))

    def activities(self) -> Sequence[Callable[..., Any]]:
        return (
            self.pay_statement,
            self.check_statement,
            self.post_payment,
            self.download_receipt,
            self.begin_login,
            self.submit_mfa_code,
            self.resend_mfa_code,
            self.discard_states,
            self.record,
        )

    # --- PaymentActivities ------------------------------------------------------------------

    @activity.defn(name="pay_statement")
    async def pay_statement(self, request: PayStatementInput) -> PaidStatement | PortalMaintenance:
        """The three fakes below in one attempt, in the real activity's order; each still
        counts (and may expire or meet maintenance) under its own step name."""
        self.calls["pay_statement"] += 1
        lease, submission = request.lease, request.submission
        statement = await self.check_statement(
            StatementLookup(lease=lease, statement_id=submission.statement_id)
        )
        if isinstance(statement, PortalMaintenance):
            return statement
        found = submission.reference in self.ledger
        if not found and submission.amount.amount_cents > statement.balance.amount_cents:
            raise AmountExceedsBalance("amount exceeds the balance due")
        posted = await self.post_payment(PostPaymentInput(lease=lease, submission=submission))
        if isinstance(posted, PortalMaintenance):
            return posted
        receipt = await self.download_receipt(
            ReceiptRequest(lease=lease, confirmation_number=posted.payment.confirmation_number)
        )
        if isinstance(receipt, PortalMaintenance):
            return receipt
        return PaidStatement(
            payment=posted.payment,
            already_posted=posted.already_posted,
            balance_after=posted.balance_after,
            receipt=receipt,
        )

    @activity.defn(name="check_statement")
    async def check_statement(self, lookup: StatementLookup) -> Statement | PortalMaintenance:
        self._on_session("check_statement", lookup.lease)
        if (window := self._window("check_statement")) is not None:
            return window
        balance = Money(amount_cents=self.balance_cents)
        return Statement(
            statement_id=lookup.statement_id,
            issued_on=POSTED_AT.date(),
            due_on=POSTED_AT.date(),
            total=balance,
            balance=balance,
            status=StatementStatus.ISSUED,
            account_number="ACCT-1",
            line_items=[],
        )

    @activity.defn(name="post_payment")
    async def post_payment(self, request: PostPaymentInput) -> PostedPayment | PortalMaintenance:
        self._on_session("post_payment", request.lease)
        if (window := self._window("post_payment")) is not None:
            return window
        if self.post_failure is not None:
            raise self.post_failure
        submission = request.submission
        # As the real activity: look the reference up first, submit only when absent.
        payment = self.ledger.get(submission.reference)
        already_posted = payment is not None
        if payment is None:
            payment = Payment(
                confirmation_number=next(self._confirmations),
                statement_id=submission.statement_id,
                amount=submission.amount,
                reference=submission.reference,
                method_last4=submission.payment_method_token[-4:],
                posted_at=POSTED_AT,
            )
            self.ledger[submission.reference] = payment
            self.balance_cents -= submission.amount.amount_cents
            if self.lost_confirmations > 0:
                self.lost_confirmations -= 1
                raise ConfirmationMissing("submitted; no confirmation page arrived")
        return PostedPayment(
            payment=payment,
            already_posted=already_posted,
            balance_after=Money(amount_cents=self.balance_cents),
        )

    @activity.defn(name="download_receipt")
    async def download_receipt(self, request: ReceiptRequest) -> StoredArtifact | PortalMaintenance:
        self._on_session("download_receipt", request.lease)
        if (window := self._window("download_receipt")) is not None:
            return window
        if self.receipt_failure is not None:
            raise self.receipt_failure
        key = f"receipts/{request.lease.connection_id}/{request.confirmation_number}.pdf"
        return StoredArtifact(
            key=key,
            location=f"memory://{key}",
            sha256="0" * 64,
            size_bytes=1024,
            content_type="application/pdf",
        )

    # --- SessionActivities ------------------------------------------------------------------

    @activity.defn(name="begin_login")
    async def begin_login(self, request: BeginLogin) -> LoginStep | PortalMaintenance:
        self.calls["begin_login"] += 1
        if (window := self._window("begin_login")) is not None:
            return window
        if self.login_failure is not None:
            raise self.login_failure
        if self.refused_passwords > 0:
            self.refused_passwords -= 1
            raise BadCredentials("the portal refused the stored password")
        state_id = next(self._state_ids)
        if self.mfa is None:
            return LoginStep(state_id=state_id)
        return LoginStep(preauth_state_id=state_id, challenge=self._challenge())

    @activity.defn(name="submit_mfa_code")
    async def submit_mfa_code(self, entry: CodeEntry) -> CodeOutcome | PortalMaintenance:
        self.calls["submit_mfa_code"] += 1
        if (window := self._window("submit_mfa_code")) is not None:
            return window
        if self.code_failure is not None:
            raise self.code_failure
        if entry.code == self.expired_code:
            raise MfaCodeExpired("the code has expired")
        if entry.code != self.right_code:
            return CodeOutcome(accepted=False)
        return CodeOutcome(accepted=True, state_id=next(self._state_ids))

    @activity.defn(name="resend_mfa_code")
    async def resend_mfa_code(self, request: ResendRequest) -> MfaChallenge:
        self.calls["resend_mfa_code"] += 1
        return self._challenge()

    @activity.defn(name="discard_states")
    async def discard_states(self, request: DiscardStates) -> None:
        self.calls["discard_states"] += 1
        self.discarded.extend(request.state_ids)

    # --- AuditActivities --------------------------------------------------------------------

    @activity.defn(name="record")
    async def record(self, record: AuditRecord) -> AuditReceipt:
        self.calls["record"] += 1
        known = [entry.entry_id for entry in self.audit]
        if record.entry_id not in known:
            self.audit.append(record)
        return AuditReceipt(
            seq=len(self.audit), hash="0" * 64, already_recorded=record.entry_id in known
        )

    # --- PaymentRecordActivities and EventActivities: a payment's outcome -----------------

    def outcome_activities(self) -> Sequence[Callable[..., Any]]:
        """Only where PostPaymentWorkflow runs alone: other fakes have their own events."""
        return (self.record_payment, self.raise_event)

    @activity.defn(name="record_payment")
    async def record_payment(self, record: PaymentRecord) -> PaymentRecorded:
        self.calls["record_payment"] += 1
        self.recorded_payments.append(record)
        return PaymentRecorded(payment_id=f"pay_{len(self.recorded_payments)}")

    @activity.defn(name="raise_event")
    async def raise_event(self, event: Event) -> bool:
        self.calls["raise_event"] += 1
        known = {e.id for e in self.events}
        if event.id not in known:
            self.events.append(event)
        return event.id not in known

    # ---------------------------------------------------------------------------------------

    def _on_session(self, step: str, lease: SessionLease) -> None:
        self.calls[step] += 1
        self.leases[step].append(lease.state_id)
        if self.expiring[step] > 0:
            self.expiring[step] -= 1
            raise SessionExpired("the portal signed this session out")

    def _window(self, step: str) -> PortalMaintenance | None:
        if self.in_maintenance[step] <= 0:
            return None
        self.in_maintenance[step] -= 1
        return self.maintenance

    def _challenge(self) -> MfaChallenge:
        assert self.mfa is not None
        return MfaChallenge(
            method=self.mfa, masked_destination="***-***-0112", message="We sent you a code."
        )
