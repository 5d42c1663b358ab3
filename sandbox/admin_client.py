"""A typed client for a sandbox portal's admin API (``/__sandbox__/``): tests and the demo."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, Field

from sandbox.common.layout import LayoutName, LayoutSettings, StructuralFault
from sandbox.common.maintenance import MaintenanceReading, NightlyWindow


class SandboxCard(BaseModel):
    """A payment method on file: a processor token (``sandbox.processor.tokens``)."""

    token: str
    brand: str
    last4: str
    kind: str = "card"  # "card" | "ach"
    outcome: str = "approved"  # approved | declined | insufficient_funds


class SandboxStatement(BaseModel):
    statement_id: str
    username: str = ""
    account_number: str = ""
    issued_on: str = ""
    due_on: str
    total_cents: int
    balance_cents: int
    status: str = ""
    encounter_id: str | None = None  # the visit billed (portals that show it: HealthPay24)
    line_items: list[dict[str, Any]] = Field(default_factory=list)
    # The methods on file that may pay this statement (its guarantor's wallet).
    payment_methods: list[SandboxCard] = Field(default_factory=list)


class SandboxAccount(BaseModel):
    """Ground truth for one normalized Account and its Guarantor."""

    account_id: str
    guarantor_id: str
    guarantor_name: str
    birth_date: str | None = None
    mrn: str | None = None
    balance_cents: int
    status: str = "active"


class SandboxUser(BaseModel):
    username: str
    password: str
    totp_secret: str
    mfa_method: str = "totp"
    phone: str | None = None
    email: str | None = None
    full_name: str = ""
    magic: bool
    magic_kind: str | None = None
    locked: bool = False
    cards: list[SandboxCard]
    statements: list[SandboxStatement]


class LedgerPayment(BaseModel):
    confirmation_number: str
    statement_id: str
    username: str
    amount_cents: int
    reference: str
    card_token: str
    created_at: str


class LedgerRefund(BaseModel):
    """A void or refund in the portal's ledger; ``memo`` is where BillBridge's reference goes."""

    kind: str  # "void" | "refund"
    refund_id: str
    transaction_id: str  # the payment given back on
    amount_cents: int
    reason_code: str
    memo: str
    created_at: str


class LoginCounts(BaseModel):
    successful: int
    failed_password: int
    failed_mfa: int
    mfa_codes_sent: int = 0
    by_user: dict[str, dict[str, int]] = Field(default_factory=dict)


class OutboxMessage(BaseModel):
    """A one-time code the portal texted or emailed: what the patient's phone/inbox shows."""

    id: int
    username: str
    channel: str
    destination: str
    masked_destination: str
    code: str
    sent_at: str
    expires_at: str


class Faults(BaseModel):
    latency_ms: int = 0
    fail_step: str | None = None
    fail_times: int = 1
    crash_after_submit: int = 0
    hold_after_submit: int = 0


class ClockReading(BaseModel):
    """The sandbox's clock: wall time moved forward by ``offset_seconds``."""

    now: datetime
    offset_seconds: float


class PlanCharge(BaseModel):
    """One autopay charge attempt on an installment, declines included."""

    attempt: int
    attempted_on: str  # the sandbox-clock date the draft or retry was due
    token: str
    amount_cents: int
    outcome: str  # succeeded | declined | invalid_token
    decline_code: str | None = None
    charge_id: str | None = None
    confirmation_number: str | None = None


class PlanInstallment(BaseModel):
    number: int
    due_on: str
    amount_cents: int
    status: str  # scheduled | drafted | failed | skipped
    attempts: int
    next_attempt_on: str | None = None
    confirmation_number: str | None = None
    charges: list[PlanCharge] = Field(default_factory=list)


class SandboxPlan(BaseModel):
    """A payment plan as the portal's back office holds it (``sandbox.common.autopay``)."""

    plan_id: str
    statement_id: str
    owner: str  # the patient's login (Cedar, HealthPay24) or guarantor account (Patientco)
    reference: str
    token: str
    status: str  # active | paused | delinquent | cancelled | paid_off
    total_cents: int
    installment_cents: int
    remaining_cents: int
    enrolled_on: str
    ended_on: str | None = None
    next_draft_on: str | None = None
    installments: list[PlanInstallment]


class SandboxAdmin:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self._client = httpx.Client(base_url=f"{base_url.rstrip('/')}/__sandbox__", timeout=timeout)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._client.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def health(self) -> dict[str, str]:
        found: dict[str, str] = self._json("GET", "/health")
        return found

    def reset(self) -> None:
        self._json("POST", "/reset")

    def users(self) -> list[SandboxUser]:
        return [SandboxUser.model_validate(user) for user in self._json("GET", "/users")]

    def user(self, username: str) -> SandboxUser:
        for user in self.users():
            if user.username == username:
                return user
        raise KeyError(username)

    def set_password(self, username: str, password: str) -> None:
        self._json("POST", f"/users/{username}/password", json={"password": password})

    def outbox(self, username: str | None = None) -> list[OutboxMessage]:
        """Texted codes, newest first."""
        params = {"username": username} if username is not None else None
        body = self._json("GET", "/outbox", params=params)
        return [OutboxMessage.model_validate(message) for message in body["messages"]]

    def latest_code(self, username: str) -> str:
        """The code most recently texted to this patient: what a person would read to us."""
        messages = self.outbox(username)
        if not messages:
            raise LookupError(f"no code has been sent to {username}")
        return messages[0].code

    def clear_outbox(self) -> int:
        deleted: int = self._json("DELETE", "/outbox")["deleted"]
        return deleted

    def statement(self, statement_id: str) -> SandboxStatement:
        return SandboxStatement.model_validate(self._json("GET", f"/statements/{statement_id}"))

    def accounts(self, username: str) -> list[SandboxAccount]:
        """The accounts this login sees in the portal, with their guarantors."""
        body = self._json("GET", "/accounts", params={"username": username})
        return [SandboxAccount.model_validate(account) for account in body["accounts"]]

    def ledger(self, reference: str | None = None) -> list[LedgerPayment]:
        params = {"reference": reference} if reference is not None else None
        body = self._json("GET", "/ledger", params=params)
        return [LedgerPayment.model_validate(payment) for payment in body["payments"]]

    def logins(self) -> LoginCounts:
        return LoginCounts.model_validate(self._json("GET", "/logins"))

    def faults(self) -> Faults:
        return Faults.model_validate(self._json("GET", "/faults"))

    def set_faults(self, **changes: Any) -> Faults:
        return Faults.model_validate(self._json("POST", "/faults", json=changes))

    def clear_faults(self) -> Faults:
        """No faults from now on; responses held by ``hold_after_submit`` are answered."""
        return Faults.model_validate(self._json("DELETE", "/faults"))

    def layout(self) -> LayoutSettings:
        return LayoutSettings.model_validate(self._json("GET", "/layout"))

    def set_layout(
        self,
        layout: LayoutName | str = LayoutName.V2,
        structural_fault: StructuralFault | str | None = None,
    ) -> LayoutSettings:
        """Serve the pages in ``layout`` from now on, with ``structural_fault`` if given
        (``sandbox.common.layout``); a reset goes back to v1 without faults."""
        change = LayoutSettings(
            layout=LayoutName(layout),
            structural_fault=StructuralFault(structural_fault) if structural_fault else None,
        )
        return LayoutSettings.model_validate(
            self._json("POST", "/layout", json=change.model_dump(mode="json"))
        )

    def held_responses(self) -> int:
        """Pay submissions recorded whose response ``hold_after_submit`` is still holding."""
        held: int = self._json("GET", "/faults/held")["held"]
        return held

    def release_held(self) -> int:
        """Answer the held responses now; how many there were."""
        released: int = self._json("POST", "/faults/release")["released"]
        return released

    def clock(self) -> ClockReading:
        return ClockReading.model_validate(self._json("GET", "/clock"))

    def advance_clock(self, seconds: float) -> ClockReading:
        """Move the sandbox's clock forward: sent codes and idle sessions older than their limit
        expire at once, as if that much time had passed. ``reset`` sets it back."""
        body = {"advance_seconds": seconds}
        return ClockReading.model_validate(self._json("POST", "/clock", json=body))

    def expire_sessions(self) -> int:
        expired: int = self._json("POST", "/sessions/expire")["expired"]
        return expired

    def maintenance(self) -> MaintenanceReading:
        return MaintenanceReading.model_validate(self._json("GET", "/maintenance"))

    def set_maintenance(self, enabled: bool) -> MaintenanceReading:
        """Keep the vendor's nightly maintenance window (off after every ``reset``)."""
        body = {"enabled": enabled}
        return MaintenanceReading.model_validate(self._json("POST", "/maintenance", json=body))

    def enter_maintenance(self, seconds_left: float) -> MaintenanceReading:
        """Keep the window and move the clock to ``seconds_left`` before its next end: inside
        it when that is less than its length, before its start otherwise."""
        reading = self.set_maintenance(True)
        hour, minute = (int(part) for part in reading.starts.split(":"))
        window = NightlyWindow(starts=time(hour, minute), minutes=reading.minutes)
        left = timedelta(seconds=seconds_left)
        target = window.next_end_after(reading.now + left) - left
        advance = (target - reading.now).total_seconds()
        if advance > 0:  # the clock only moves forward
            self.advance_clock(advance)
        return self.maintenance()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SandboxAdmin:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def settlement_batches(self) -> list[dict[str, Any]]:
        """Settlement batches with their transactions, newest first (portals that settle
        payments in batches: Patientco)."""
        batches: list[dict[str, Any]] = self._json("GET", "/settlements")["batches"]
        return batches

    def plans(self, reference: str | None = None) -> list[SandboxPlan]:
        """Payment plans, newest first, with their installments and every charge attempt
        (autopay has drafted all that was due on the sandbox's clock); exact ``reference``."""
        params = {"reference": reference} if reference is not None else None
        body = self._json("GET", "/plans", params=params)
        return [SandboxPlan.model_validate(plan) for plan in body["plans"]]

    def close_settlement_batch(self) -> str | None:
        """Settle the open batch now, as the nightly cut-off would: its id, None if none."""
        closed: str | None = self._json("POST", "/settlements/close")["closed"]
        return closed

    def refunds(self, reference: str | None = None) -> list[LedgerRefund]:
        """Voids and refunds, oldest first; those whose memo is exactly ``reference`` if given
        (portals that refund: Patientco, HealthPay24)."""
        params = {"reference": reference} if reference is not None else None
        body = self._json("GET", "/refunds", params=params)
        return [LedgerRefund.model_validate(refund) for refund in body["refunds"]]

    def sftp_login(self) -> SandboxSftpLogin:
        """Where the settlement files are served and the SFTP login (HealthPay24)."""
        return SandboxSftpLogin.model_validate(self._json("GET", "/sftp"))

    def add_export_faults(
        self,
        *,
        drop: list[str] | None = None,
        alter: dict[str, int] | None = None,
        chargeback: list[str] | None = None,
    ) -> dict[str, Any]:
        """Make the settlement export leave a transaction out, show another amount for it,
        or (HealthPay24) show it charged back; the ledger stays as it is."""
        body = {"drop": drop or [], "alter": alter or {}, "chargeback": chargeback or []}
        faults: dict[str, Any] = self._json("POST", "/settlements/export-faults", json=body)
        return faults

    def clear_export_faults(self) -> None:
        self._json("DELETE", "/settlements/export-faults")

    def charge_back(self, transaction_id: str, amount_cents: int | None = None) -> str:
        """Record a chargeback against a payment (Patientco): its id; it settles with the
        open batch."""
        body = {"amount_cents": amount_cents}
        found: str = self._json("POST", f"/payments/{transaction_id}/chargeback", json=body)[
            "chargeback_id"
        ]
        return found

    def estimates(self, username: str) -> list[SandboxEstimate]:
        """The pre-service estimates this login sees (portals that have them: HealthPay24)."""
        body = self._json("GET", "/estimates", params={"username": username})
        return [SandboxEstimate.model_validate(estimate) for estimate in body["estimates"]]

    def deposits(self, reference: str | None = None) -> list[SandboxDeposit]:
        """Deposits on estimates, oldest first, each held or applied as the portal's clock
        says by now (portals that take deposits: HealthPay24)."""
        params = {"reference": reference} if reference is not None else {}
        body = self._json("GET", "/deposits", params=params)
        return [SandboxDeposit.model_validate(deposit) for deposit in body["deposits"]]


class SandboxDeposit(BaseModel):
    """Ground truth for one deposit: held (no statement yet) or applied to a statement."""

    deposit_id: str
    estimate_id: str
    amount_cents: int
    note: str
    card_token: str
    collected_on: str
    encounter_id: str
    account_number: str
    statement_id: str | None = None
    applied_cents: int | None = None
    applied_on: str | None = None


class SandboxSftpLogin(BaseModel):
    host: str
    port: int
    username: str
    password: str
    host_key_fingerprint: str
    directory: str


class SandboxEstimateLine(BaseModel):
    code: str
    code_system: str
    description: str
    expected_charge_cents: int
    patient_cents: int


class SandboxEstimate(BaseModel):
    """Ground truth for one normalized Estimate."""

    estimate_id: str
    account_number: str | None = None
    service_date: str
    status: str  # "active" | "deposit-paid" | "expired"
    deposit_cents: int
    encounter_id: str | None = None  # the visit a deposit is held for
    patient_cents: int
    lines: list[SandboxEstimateLine]
