"""HealthPay24 payment plans through HealthPay24Adapter (PlanManager, PlanPauser) in real
Chromium against the real HealthPay24 sandbox and processor: the plan terms, enrollment
found again by its plan note, autopay drafting on the sandbox's moved clock, pause and
resume, changes, cancelling, a declined draft recovered by a new method, and delinquency
once the retries ran out. The sandbox's back office (``/__sandbox__/plans``) is the ground
truth every answer is checked against."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, Route
from pydantic import SecretStr

from models.connections import Credentials
from models.errors import (
    ConfirmationMissing,
    PlanNotFound,
    PlanRefused,
    PortalChanged,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.money import Money
from models.plans import InstallmentStatus, PaymentPlan, PlanChange, PlanEnrollment, PlanStatus
from portals.healthpay24.adapter import HealthPay24Adapter
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.common.autopay_rules import RULES
from sandbox.healthpay24.seed import DEMO_USERNAME, UNKNOWN_TOKEN

RULES_HERE = RULES["healthpay24"]
STATEMENT = "INV-300131"  # demo.patient, USD 212.35 due: five installments of USD 50.00
TOO_SMALL = "INV-300092"  # demo.patient, USD 24.88 due: below HealthPay24's plan minimum
DAY = 24 * 3600


@pytest.fixture
def demo(healthpay24_admin: SandboxAdmin) -> SandboxUser:
    return healthpay24_admin.user(DEMO_USERNAME)


def credentials(user: SandboxUser) -> Credentials:
    return Credentials(
        username=user.username,
        password=SecretStr(user.password),
        totp_secret=SecretStr(user.totp_secret),
    )


@pytest.fixture
async def signed_in(healthpay24: HealthPay24Adapter, demo: SandboxUser) -> HealthPay24Adapter:
    await healthpay24.login(credentials(demo))
    return healthpay24


def token(user: SandboxUser, outcome: str = "approved", kind: str = "card") -> str:
    return next(c.token for c in user.cards if c.outcome == outcome and c.kind == kind)


def enrollment(
    user: SandboxUser,
    reference: str,
    *,
    cents: int = 5000,
    outcome: str = "approved",
    statement_id: str = STATEMENT,
) -> PlanEnrollment:
    return PlanEnrollment(
        statement_id=statement_id,
        installment_amount=Money(amount_cents=cents),
        payment_method_token=token(user, outcome),
        reference=reference,
    )


async def move_clock_to(
    admin: SandboxAdmin, day: date, adapter: HealthPay24Adapter, user: SandboxUser
) -> None:
    """The sandbox's clock forward to ``day`` (same time of day): autopay drafts what came
    due. The portal's idle sessions run on the same clock, so the patient signs in again."""
    days = (day - admin.clock().now.date()).days
    if days > 0:
        admin.advance_clock(days * DAY)
    await adapter.login(credentials(user))


def today(admin: SandboxAdmin) -> date:
    return admin.clock().now.date()


def statuses(plan: PaymentPlan) -> list[InstallmentStatus]:
    return [installment.status for installment in plan.installments]


async def test_plan_rules_are_healthpay24s_terms_on_the_balance(
    signed_in: HealthPay24Adapter, healthpay24_admin: SandboxAdmin
) -> None:
    rules = await signed_in.plan_rules(STATEMENT)

    assert rules.statement_id == STATEMENT
    assert rules.balance.amount_cents == healthpay24_admin.statement(STATEMENT).balance_cents
    assert rules.min_balance.amount_cents == RULES_HERE.min_balance_cents
    assert rules.min_installment.amount_cents == RULES_HERE.min_installment_cents
    assert rules.max_term_months == RULES_HERE.max_term_months
    assert rules.retry_after_days == RULES_HERE.retry_after_days
    assert rules.max_draft_retries == RULES_HERE.max_draft_retries
    with pytest.raises(StatementNotFound):
        await signed_in.plan_rules("INV-1")


async def test_enrolled_plan_is_found_by_its_plan_note(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    assert await signed_in.find_plan("bb-plan-enroll") is None

    plan = await signed_in.enroll_plan(enrollment(demo, "bb-plan-enroll"))

    assert plan.status is PlanStatus.ACTIVE
    assert plan.reference == "bb-plan-enroll"
    assert plan.installment_amount.amount_cents == 5000
    assert plan.remaining_balance.amount_cents == 21235
    assert [i.amount.amount_cents for i in plan.installments] == [5000] * 4 + [1235]
    assert statuses(plan) == [InstallmentStatus.SCHEDULED] * 5
    assert plan.next_draft_date == plan.installments[0].due_date
    assert plan.installments[0].due_date > today(healthpay24_admin)
    [truth] = healthpay24_admin.plans(reference="bb-plan-enroll")
    assert truth.plan_id == plan.plan_id and truth.status == "active"
    assert plan.method_last4 == next(c.last4 for c in demo.cards if c.token == truth.token)
    assert await signed_in.find_plan("bb-plan-enroll") == plan
    assert await signed_in.find_plan("bb-plan-enrol") is None  # exact notes only
    assert await signed_in.get_plan(plan.plan_id) == plan


async def test_refused_enrollments_are_typed_and_enroll_nothing(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    with pytest.raises(PlanRefused):  # below HealthPay24's minimum amount due
        await signed_in.enroll_plan(enrollment(demo, "bb-small", statement_id=TOO_SMALL))
    with pytest.raises(PlanRefused):  # below the minimum installment
        await signed_in.enroll_plan(enrollment(demo, "bb-low", cents=500))
    with pytest.raises(PlanRefused):  # one installment is a payment, not a plan
        await signed_in.enroll_plan(enrollment(demo, "bb-all", cents=21235))
    with pytest.raises(UnknownPaymentMethod):
        await signed_in.enroll_plan(
            enrollment(demo, "bb-unknown").model_copy(
                update={"payment_method_token": UNKNOWN_TOKEN}
            )
        )
    assert healthpay24_admin.plans() == []
    await signed_in.enroll_plan(enrollment(demo, "bb-first"))
    with pytest.raises(PlanRefused):  # the statement already has a plan
        await signed_in.enroll_plan(enrollment(demo, "bb-second"))
    assert [p.reference for p in healthpay24_admin.plans()] == ["bb-first"]


async def test_autopay_drafts_each_installment_on_its_due_date_to_payoff(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    plan = await signed_in.enroll_plan(enrollment(demo, "bb-drafts"))

    await move_clock_to(healthpay24_admin, plan.installments[0].due_date, signed_in, demo)
    drafted = await signed_in.get_plan(plan.plan_id)

    first = drafted.installments[0]
    assert first.status is InstallmentStatus.DRAFTED and first.attempts == 1
    assert first.confirmation_number is not None
    assert drafted.remaining_balance.amount_cents == 21235 - 5000
    assert drafted.next_draft_date == plan.installments[1].due_date
    assert healthpay24_admin.statement(STATEMENT).balance_cents == 21235 - 5000
    payment = await signed_in.find_payment(f"Autopay {plan.plan_id} installment 1")
    assert payment is not None and payment.confirmation_number == first.confirmation_number

    await move_clock_to(healthpay24_admin, plan.installments[-1].due_date, signed_in, demo)
    paid_off = await signed_in.get_plan(plan.plan_id)

    assert paid_off.status is PlanStatus.PAID_OFF
    assert statuses(paid_off) == [InstallmentStatus.DRAFTED] * 5
    assert paid_off.remaining_balance.amount_cents == 0 and paid_off.next_draft_date is None
    assert healthpay24_admin.statement(STATEMENT).balance_cents == 0
    [truth] = healthpay24_admin.plans(reference="bb-drafts")
    assert [len(i.charges) for i in truth.installments] == [1] * 5  # never charged twice


async def test_paused_plan_drafts_nothing_until_resumed(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    plan = await signed_in.enroll_plan(enrollment(demo, "bb-pause"))

    paused = await signed_in.pause_plan(plan.plan_id)
    assert paused.status is PlanStatus.PAUSED and paused.next_draft_date is None
    assert (await signed_in.pause_plan(plan.plan_id)).status is PlanStatus.PAUSED  # a retry

    await move_clock_to(
        healthpay24_admin, plan.installments[0].due_date + timedelta(days=1), signed_in, demo
    )
    skipped = await signed_in.get_plan(plan.plan_id)
    assert skipped.installments[0].status is InstallmentStatus.SKIPPED
    assert len(skipped.installments) == 6  # the skipped amount is owed at the end
    assert skipped.remaining_balance.amount_cents == 21235
    [truth] = healthpay24_admin.plans(reference="bb-pause")
    assert all(not i.charges for i in truth.installments)
    assert healthpay24_admin.statement(STATEMENT).balance_cents == 21235

    resumed = await signed_in.resume_plan(plan.plan_id)
    assert resumed.status is PlanStatus.ACTIVE
    assert resumed.next_draft_date == plan.installments[1].due_date
    await move_clock_to(healthpay24_admin, plan.installments[1].due_date, signed_in, demo)
    after = await signed_in.get_plan(plan.plan_id)
    assert after.installments[1].status is InstallmentStatus.DRAFTED
    assert after.remaining_balance.amount_cents == 21235 - 5000


async def test_change_installment_and_method_then_cancel(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    plan = await signed_in.enroll_plan(enrollment(demo, "bb-change"))
    ach = token(demo, kind="ach")

    changed = await signed_in.change_plan(
        plan.plan_id,
        PlanChange(installment_amount=Money(amount_cents=10000), payment_method_token=ach),
    )

    assert changed.installment_amount.amount_cents == 10000
    assert [i.amount.amount_cents for i in changed.installments] == [10000, 10000, 1235]
    assert changed.method_last4 == next(c.last4 for c in demo.cards if c.token == ach)
    [truth] = healthpay24_admin.plans(reference="bb-change")
    assert truth.token == ach and truth.installment_cents == 10000
    with pytest.raises(PlanRefused):
        await signed_in.change_plan(
            plan.plan_id, PlanChange(installment_amount=Money(amount_cents=500))
        )
    with pytest.raises(UnknownPaymentMethod):
        await signed_in.change_plan(plan.plan_id, PlanChange(payment_method_token=UNKNOWN_TOKEN))

    cancelled = await signed_in.cancel_plan(plan.plan_id)

    assert cancelled.status is PlanStatus.CANCELLED and cancelled.next_draft_date is None
    assert (await signed_in.cancel_plan(plan.plan_id)).status is PlanStatus.CANCELLED
    with pytest.raises(PlanRefused):
        await signed_in.pause_plan(plan.plan_id)
    with pytest.raises(PlanRefused):
        await signed_in.change_plan(plan.plan_id, PlanChange(payment_method_token=ach))
    await move_clock_to(healthpay24_admin, plan.installments[0].due_date, signed_in, demo)
    assert healthpay24_admin.statement(STATEMENT).balance_cents == 21235  # nothing drafted
    with pytest.raises(PlanNotFound):
        await signed_in.get_plan("HPP-NOSUCH")


async def test_declined_draft_is_retried_and_recovers_after_a_method_change(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    plan = await signed_in.enroll_plan(enrollment(demo, "bb-recover", outcome="declined"))
    due = plan.installments[0].due_date

    await move_clock_to(healthpay24_admin, due, signed_in, demo)
    declined = await signed_in.get_plan(plan.plan_id)

    assert declined.status is PlanStatus.ACTIVE
    assert declined.installments[0].status is InstallmentStatus.FAILED
    assert declined.installments[0].attempts == 1
    assert declined.next_draft_date == due + timedelta(days=RULES_HERE.retry_after_days)
    assert healthpay24_admin.statement(STATEMENT).balance_cents == 21235

    await signed_in.change_plan(plan.plan_id, PlanChange(payment_method_token=token(demo)))
    await move_clock_to(
        healthpay24_admin, due + timedelta(days=RULES_HERE.retry_after_days), signed_in, demo
    )
    recovered = await signed_in.get_plan(plan.plan_id)

    assert recovered.status is PlanStatus.ACTIVE
    assert recovered.installments[0].status is InstallmentStatus.DRAFTED
    assert recovered.installments[0].attempts == 2
    [truth] = healthpay24_admin.plans(reference="bb-recover")
    assert [c.outcome for c in truth.installments[0].charges] == ["declined", "succeeded"]
    assert healthpay24_admin.statement(STATEMENT).balance_cents == 21235 - 5000


async def test_plan_is_delinquent_once_the_draft_retries_ran_out(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    plan = await signed_in.enroll_plan(enrollment(demo, "bb-delinquent", outcome="declined"))
    due = plan.installments[0].due_date
    last_retry = due + timedelta(days=RULES_HERE.retry_after_days * RULES_HERE.max_draft_retries)

    await move_clock_to(healthpay24_admin, last_retry, signed_in, demo)
    delinquent = await signed_in.get_plan(plan.plan_id)

    assert delinquent.status is PlanStatus.DELINQUENT
    assert delinquent.next_draft_date is None
    assert delinquent.installments[0].status is InstallmentStatus.FAILED
    assert delinquent.installments[0].attempts == RULES_HERE.max_draft_retries + 1
    [truth] = healthpay24_admin.plans(reference="bb-delinquent")
    assert truth.status == "delinquent"
    assert [c.outcome for c in truth.installments[0].charges] == ["declined"] * (
        RULES_HERE.max_draft_retries + 1
    )
    with pytest.raises(PlanRefused):
        await signed_in.pause_plan(plan.plan_id)
    with pytest.raises(PlanRefused):
        await signed_in.change_plan(plan.plan_id, PlanChange(payment_method_token=token(demo)))
    assert (await signed_in.cancel_plan(plan.plan_id)).status is PlanStatus.CANCELLED


async def test_enrollment_whose_answer_is_lost_is_found_by_its_plan_note(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    healthpay24_admin.set_faults(crash_after_submit=1)

    with pytest.raises(ConfirmationMissing):
        await signed_in.enroll_plan(enrollment(demo, "bb-plan-crash"))

    [truth] = healthpay24_admin.plans()  # Chromium's automatic resend did not enroll twice
    found = await signed_in.find_plan("bb-plan-crash")
    assert found is not None and found.plan_id == truth.plan_id


async def test_a_changed_plan_page_is_portal_changed_within_seconds(
    signed_in: HealthPay24Adapter, demo: SandboxUser, page: Page
) -> None:
    plan = await signed_in.enroll_plan(enrollment(demo, "bb-changed"))

    async def renamed_summary(route: Route) -> None:
        response = await route.fetch()
        body = (await response.text()).replace("Plan summary", "Your plan at a glance")
        await route.fulfill(response=response, body=body)

    await page.route(f"**/portal/plans/{plan.plan_id}", renamed_summary)
    started = time.monotonic()
    with pytest.raises(PortalChanged):
        await signed_in.get_plan(plan.plan_id)
    assert time.monotonic() - started < 5


async def test_no_amount_change_once_every_installment_left_was_attempted(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    plan = await signed_in.enroll_plan(enrollment(demo, "bb-last", cents=11000))
    first, last = plan.installments
    await move_clock_to(healthpay24_admin, first.due_date, signed_in, demo)
    await signed_in.change_plan(
        plan.plan_id, PlanChange(payment_method_token=token(demo, "declined"))
    )
    await move_clock_to(healthpay24_admin, last.due_date, signed_in, demo)
    assert (await signed_in.get_plan(plan.plan_id)).installments[1].status is (
        InstallmentStatus.FAILED
    )

    with pytest.raises(PlanRefused):
        await signed_in.change_plan(
            plan.plan_id, PlanChange(installment_amount=Money(amount_cents=5000))
        )
    recovered = await signed_in.change_plan(
        plan.plan_id, PlanChange(payment_method_token=token(demo))
    )
    assert recovered.installments[1].amount.amount_cents == 21235 - 11000
