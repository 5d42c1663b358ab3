"""The deposit activities (and the offering check and event log) replaced by an in-memory
HealthPay24, under the real activity names, for EstimateToDepositWorkflow's tests.

A test scripts how many reads of the deposit still find it held before the portal applies
it, and reads back what was called, what was collected and which events were raised.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from temporalio import activity

from models.deposits import (
    CollectDepositInput,
    CollectedDeposit,
    Deposit,
    DepositLookup,
    DepositStatus,
    EstimateLookup,
)
from models.errors import ConfirmationMissing, NotOffered
from models.estimates import Estimate, EstimateLine, EstimateStatus
from models.events import Event
from models.money import Money
from models.offerings import OfferCheck

COLLECTED_ON = date(2025, 6, 30)
SERVICE_DATE = COLLECTED_ON + timedelta(days=7)
BILLING_DATE = SERVICE_DATE + timedelta(days=2)
DEPOSIT_CENTS = 12_500
STATEMENT_ID = "INV-800001"
ENCOUNTER_ID = "V700001"


class FakeDeposits:
    def __init__(self) -> None:
        self.held_reads = 0  # how many reads of the deposit still find it held
        self.lost_answers = 0  # the next N submits record the deposit, then the answer is lost
        self.offered = True
        self.collect_failure: Exception | None = None
        self.ledger: dict[str, Deposit] = {}  # reference -> the deposit the portal holds
        self.calls: Counter[str] = Counter()
        self.events: list[Event] = []
        self._ids = (f"DEP-{n}" for n in itertools.count(5001))

    def activities(self) -> Sequence[Callable[..., Any]]:
        return (
            self.check_offered, self.read_estimate, self.collect_deposit, self.read_deposit,
            self.raise_event,
        )  # fmt: skip

    @activity.defn(name="check_offered")
    async def check_offered(self, check: OfferCheck) -> None:
        self.calls["check_offered"] += 1
        if not self.offered:
            raise NotOffered(f"cedar does not offer {check.process} (offered on: healthpay24)")

    @activity.defn(name="read_estimate")
    async def read_estimate(self, lookup: EstimateLookup) -> Estimate:
        self.calls["read_estimate"] += 1
        line = EstimateLine(
            code="29881",
            code_system="CPT",
            description="Knee arthroscopy with meniscectomy",
            expected_charge=Money(amount_cents=500_000),
            patient_responsibility=Money(amount_cents=50_000),
        )
        return Estimate(
            identifier=lookup.estimate_id,
            status=EstimateStatus.ACTIVE,
            service_date=SERVICE_DATE,
            lines=[line],
            patient_responsibility=Money(amount_cents=50_000),
            deposit_due=Money(amount_cents=DEPOSIT_CENTS),
        )

    @activity.defn(name="collect_deposit")
    async def collect_deposit(self, request: CollectDepositInput) -> CollectedDeposit:
        self.calls["collect_deposit"] += 1
        if self.collect_failure is not None:
            raise self.collect_failure
        submission = request.submission
        found = self.ledger.get(submission.reference)  # as the real one: look up first
        if found is not None:
            return CollectedDeposit(deposit=found, already_collected=True)
        deposit = Deposit(
            deposit_id=next(self._ids),
            estimate_id=submission.estimate_id,
            amount=submission.amount,
            reference=submission.reference,
            collected_on=COLLECTED_ON,
            encounter_id=ENCOUNTER_ID,
            service_date=SERVICE_DATE,
            expected_billing_date=BILLING_DATE,
            status=DepositStatus.HELD,
        )
        self.ledger[submission.reference] = deposit
        if self.lost_answers > 0:
            self.lost_answers -= 1
            raise ConfirmationMissing("deposit_submit: no answer arrived")
        return CollectedDeposit(deposit=deposit, already_collected=False)

    @activity.defn(name="read_deposit")
    async def read_deposit(self, lookup: DepositLookup) -> Deposit:
        self.calls["read_deposit"] += 1
        [deposit] = [d for d in self.ledger.values() if d.deposit_id == lookup.deposit_id]
        if self.held_reads > 0:
            self.held_reads -= 1
            return deposit
        return deposit.model_copy(
            update={
                "status": DepositStatus.APPLIED,
                "statement_id": STATEMENT_ID,
                "amount_applied": deposit.amount,
                "applied_on": BILLING_DATE,
            }
        )

    @activity.defn(name="raise_event")
    async def raise_event(self, event: Event) -> bool:
        self.calls["raise_event"] += 1
        if event.id in [known.id for known in self.events]:
            return False
        self.events.append(event)
        return True
