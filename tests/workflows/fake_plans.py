"""The plan activities replaced by an in-memory portal with autopay, under the real names.

It follows the sandbox semantics the plan adapters are written to: monthly installments,
the first due a month after enrollment, the last one the remainder; each due installment is
drafted when the portal is next asked (on the test server's clock, so skipped time drafts);
a declining token fails its draft, retried every ``retry_after_days`` up to
``max_draft_retries`` times, then the plan is delinquent.
"""

from __future__ import annotations

import calendar
import itertools
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import activity

from models.errors import NotOffered, PortalUnavailable
from models.events import Event
from models.money import Money
from models.offerings import OfferCheck
from models.plan_enrollment import (
    ChangePlanInput,
    EnrolledPlan,
    EnrollPlanInput,
    PlanEligibility,
    PlanEligibilityLookup,
    PlanLookup,
)
from models.plans import Installment, InstallmentStatus, PaymentPlan, PlanRules, PlanStatus

DECLINING_TOKEN = "tok_visa_declined"


def add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class FakePlanPortal:
    def __init__(self, clock: Callable[[], Awaitable[datetime]]) -> None:
        self._clock = clock
        self.balance_cents = 120_000
        self.min_installment_cents = 2_500
        self.max_term_months = 24
        self.retry_after_days = 3
        self.max_draft_retries = 2
        self.pausable = True
        self.plans: dict[str, PaymentPlan] = {}
        self.tokens: dict[str, str] = {}  # plan id -> the token its autopay drafts
        self.charges: list[tuple[str, int, str, str]] = []  # plan, installment, token, outcome
        self.failing_reads = 0  # the next N read_plan calls raise PortalUnavailable
        self.offered = True
        self.events: list[Event] = []
        self.calls: Counter[str] = Counter()
        self._plan_ids = (f"PLAN-{n:03d}" for n in itertools.count(1))

    def activities(self) -> Sequence[Callable[..., Any]]:
        return (
            self.plan_eligibility,
            self.enroll_plan,
            self.read_plan,
            self.change_plan,
            self.cancel_plan,
            self.pause_plan,
            self.resume_plan,
            self.check_offered,
            self.raise_event,
        )

    @activity.defn(name="check_offered")
    async def check_offered(self, check: OfferCheck) -> None:
        self.calls["check_offered"] += 1
        if not self.offered:
            raise NotOffered(f"fakeportal does not offer {check.process}")

    @activity.defn(name="raise_event")
    async def raise_event(self, event: Event) -> bool:
        if any(seen.id == event.id for seen in self.events):
            return False
        self.events.append(event)
        return True

    @property
    def rules(self) -> PlanRules:
        return PlanRules(
            statement_id="ST-1001",
            balance=Money(amount_cents=self.balance_cents),
            min_balance=Money(amount_cents=5_000),
            min_installment=Money(amount_cents=self.min_installment_cents),
            max_term_months=self.max_term_months,
            retry_after_days=self.retry_after_days,
            max_draft_retries=self.max_draft_retries,
        )

    @activity.defn(name="plan_eligibility")
    async def plan_eligibility(self, lookup: PlanEligibilityLookup) -> PlanEligibility:
        self.calls["plan_eligibility"] += 1
        return PlanEligibility(rules=self.rules, portal="fakeportal", pausable=self.pausable)

    @activity.defn(name="enroll_plan")
    async def enroll_plan(self, request: EnrollPlanInput) -> EnrolledPlan:
        self.calls["enroll_plan"] += 1
        wanted = request.enrollment
        for plan in self.plans.values():
            if plan.reference == wanted.reference:
                return EnrolledPlan(plan=await self._caught_up(plan.plan_id), already_enrolled=True)
        today = await self._today()
        plan_id = next(self._plan_ids)
        self.plans[plan_id] = PaymentPlan(
            plan_id=plan_id,
            statement_id=wanted.statement_id,
            reference=wanted.reference,
            status=PlanStatus.ACTIVE,
            installment_amount=wanted.installment_amount,
            method_last4=wanted.payment_method_token[-4:],
            remaining_balance=Money(amount_cents=self.balance_cents),
            next_draft_date=None,
            installments=_schedule(today, self.balance_cents, wanted.installment_amount, 1),
        )
        self.tokens[plan_id] = wanted.payment_method_token
        return EnrolledPlan(plan=await self._caught_up(plan_id), already_enrolled=False)

    @activity.defn(name="read_plan")
    async def read_plan(self, lookup: PlanLookup) -> PaymentPlan:
        self.calls["read_plan"] += 1
        if self.failing_reads > 0:
            self.failing_reads -= 1
            raise PortalUnavailable("the portal answered 503")
        return await self._caught_up(lookup.plan_id)

    @activity.defn(name="change_plan")
    async def change_plan(self, request: ChangePlanInput) -> PaymentPlan:
        self.calls["change_plan"] += 1
        plan = await self._caught_up(request.plan_id)
        change = request.change
        if change.payment_method_token is not None:
            self.tokens[plan.plan_id] = change.payment_method_token
            plan = plan.model_copy(update={"method_last4": change.payment_method_token[-4:]})
        if change.installment_amount is not None:
            done = [i for i in plan.installments if i.status is InstallmentStatus.DRAFTED]
            first_due = min(
                i.due_date for i in plan.installments if i.status is not InstallmentStatus.DRAFTED
            )
            rest = _schedule(
                add_months(first_due, -1),
                plan.remaining_balance.amount_cents,
                change.installment_amount,
                len(done) + 1,
            )
            plan = plan.model_copy(
                update={
                    "installment_amount": change.installment_amount,
                    "installments": done + rest,
                }
            )
        self.plans[plan.plan_id] = plan
        return await self._caught_up(plan.plan_id)

    @activity.defn(name="cancel_plan")
    async def cancel_plan(self, lookup: PlanLookup) -> PaymentPlan:
        self.calls["cancel_plan"] += 1
        return await self._set_status(lookup.plan_id, PlanStatus.CANCELLED)

    @activity.defn(name="pause_plan")
    async def pause_plan(self, lookup: PlanLookup) -> PaymentPlan:
        self.calls["pause_plan"] += 1
        return await self._set_status(lookup.plan_id, PlanStatus.PAUSED)

    @activity.defn(name="resume_plan")
    async def resume_plan(self, lookup: PlanLookup) -> PaymentPlan:
        self.calls["resume_plan"] += 1
        plan = await self._caught_up(lookup.plan_id)
        today = await self._today()
        # What fell due while paused moves on: the open installments restart a month on.
        done = [i for i in plan.installments if i.status is InstallmentStatus.DRAFTED]
        rest = _schedule(
            today, plan.remaining_balance.amount_cents, plan.installment_amount, len(done) + 1
        )
        self.plans[plan.plan_id] = plan.model_copy(
            update={"status": PlanStatus.ACTIVE, "installments": done + rest}
        )
        return await self._caught_up(plan.plan_id)

    # ---------------------------------------------------------------------------------------

    def drafts(self, plan_id: str) -> Counter[int]:
        """How many approved charges each installment got: exactly-once is all ones."""
        return Counter(n for p, n, _, outcome in self.charges if p == plan_id and outcome == "ok")

    async def _today(self) -> date:
        return (await self._clock()).date()

    async def _set_status(self, plan_id: str, status: PlanStatus) -> PaymentPlan:
        plan = await self._caught_up(plan_id)
        self.plans[plan_id] = plan.model_copy(update={"status": status})
        return await self._caught_up(plan_id)

    async def _caught_up(self, plan_id: str) -> PaymentPlan:
        """The plan with every due draft made, as the portal shows it when asked."""
        plan = self.plans[plan_id]
        today = await self._today()
        installments = list(plan.installments)
        status = plan.status
        for index, installment in enumerate(installments):
            if status is not PlanStatus.ACTIVE:
                break
            if installment.status is InstallmentStatus.DRAFTED:
                continue
            drafted = False
            while status is PlanStatus.ACTIVE and not drafted:
                attempt_on = installment.due_date + timedelta(
                    days=self.retry_after_days * installment.attempts
                )
                if attempt_on > today:
                    break
                token = self.tokens[plan_id]
                drafted = token != DECLINING_TOKEN
                self.charges.append(
                    (plan_id, installment.number, token, "ok" if drafted else "declined")
                )
                installment = installment.model_copy(
                    update={
                        "attempts": installment.attempts + 1,
                        "status": InstallmentStatus.DRAFTED
                        if drafted
                        else InstallmentStatus.FAILED,
                        "confirmation_number": f"DRAFT-{installment.number}" if drafted else None,
                    }
                )
                if not drafted and installment.attempts > self.max_draft_retries:
                    status = PlanStatus.DELINQUENT
            installments[index] = installment
            if not drafted:
                break
        drafted = sum(
            i.amount.amount_cents for i in installments if i.status is InstallmentStatus.DRAFTED
        )
        remaining = self.balance_cents - drafted
        if remaining == 0 and status is PlanStatus.ACTIVE:
            status = PlanStatus.PAID_OFF
        next_draft = None
        if status in (PlanStatus.ACTIVE, PlanStatus.PAUSED):
            due = next(i for i in installments if i.status is not InstallmentStatus.DRAFTED)
            next_draft = due.due_date + timedelta(days=self.retry_after_days * due.attempts)
        plan = plan.model_copy(
            update={
                "installments": installments,
                "status": status,
                "remaining_balance": Money(amount_cents=remaining),
                "next_draft_date": next_draft,
            }
        )
        self.plans[plan_id] = plan
        return plan


def _schedule(anchor: date, balance_cents: int, amount: Money, first: int) -> list[Installment]:
    count = -(-balance_cents // amount.amount_cents)
    cents = [amount.amount_cents] * (count - 1) + [
        balance_cents - amount.amount_cents * (count - 1)
    ]
    return [
        Installment(
            number=first + offset,
            due_date=add_months(anchor, offset + 1),
            amount=Money(amount_cents=value),
            status=InstallmentStatus.SCHEDULED,
        )
        for offset, value in enumerate(cents)
    ]
