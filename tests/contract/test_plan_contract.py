"""The PlanManager contract on every portal that offers payment plans, agreeing with the
sandbox's back office: rules, enrollment, lookup by reference, drafts made as the sandbox
clock moves, changes, cancellation, a declined draft recovered, delinquency.

Each adapter runs in real Chromium against its sandbox over HTTP, the sandbox charging the
real sandbox processor. Moving the sandbox's clock by weeks also ends the portal session
(its idle limit is on the same clock), so the tests sign in again after each move, as a
workflow's next activity would.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.async_api import Page, Route
from pydantic import SecretStr

from models.connections import Credentials, PortalName
from models.errors import (
    ConfirmationMissing,
    PlanNotFound,
    PlanRefused,
    PortalChanged,
    UnknownPaymentMethod,
)
from models.money import Money
from models.offerings import Process
from models.plans import InstallmentStatus, PlanChange, PlanEnrollment, PlanStatus
from portals.base import PlanManager, UnattendedSignIn
from portals.offerings import offered_by
from sandbox.admin_client import SandboxAdmin, SandboxCard, SandboxPlan, SandboxStatement
from sandbox.common.autopay_rules import RULES
from sandbox.common.autopay_schedule import add_months
from sandbox.common.layout import LayoutName
from tests.contract.conftest import SignedIn

DAY = 24 * 3600
# Each portal's redesign (``sandbox.common.layout``) must offer, enroll, find, change and
# cancel exactly as the original does: the tests marked with it walk every plan page on both
# layouts; the others (drafts as the clock moves, a lost answer) read the same pages again
# and stay on v1 for the suite's time budget.
ON_BOTH_LAYOUTS = pytest.mark.parametrize(
    "layout", [LayoutName.V1, LayoutName.V2], ids=lambda name: str(name)
)


@pytest.fixture(params=offered_by(Process.PAYMENT_PLANS), ids=lambda name: str(name.value))
def portal_name(request: pytest.FixtureRequest) -> PortalName:
    """Only the portals whose adapter offers payment plans (overrides the conftest's)."""
    return PortalName(request.param)


@dataclass(frozen=True)
class PlanSetting:
    """A statement a plan can cover, with an approving and the declining card on file."""

    statement: SandboxStatement
    approving: SandboxCard
    declining: SandboxCard
    small_statement_id: str  # a balance below the portal's plan minimum


@pytest.fixture
def setting(signed_in: SignedIn) -> PlanSetting:
    rules = RULES[signed_in.portal.value]
    best: SandboxStatement | None = None
    small: str | None = None
    for summary in signed_in.user.statements:
        if 0 < summary.balance_cents < rules.min_balance_cents:
            small = small or summary.statement_id
        statement = signed_in.admin.statement(summary.statement_id)
        outcomes = {card.outcome for card in statement.payment_methods}
        if {"approved", "declined"} <= outcomes and (
            best is None or statement.balance_cents > best.balance_cents
        ):
            best = statement
    assert best is not None and small is not None, "the seed has no statement fit for plans"
    methods = best.payment_methods
    return PlanSetting(
        statement=best,
        approving=next(c for c in methods if c.outcome == "approved" and c.kind == "card"),
        declining=next(c for c in methods if c.outcome == "declined"),
        small_statement_id=small,
    )


def manager(signed_in: SignedIn) -> PlanManager:
    assert isinstance(signed_in.adapter, PlanManager)
    return signed_in.adapter


async def move_clock(signed_in: SignedIn, days: float) -> None:
    """Move the sandbox's clock (autopay drafts what fell due) and sign in again."""
    signed_in.admin.advance_clock(days * DAY)
    adapter = signed_in.adapter
    assert isinstance(adapter, UnattendedSignIn)
    user = signed_in.user
    await adapter.login(
        Credentials(username=user.username, password=SecretStr(user.password),
                    totp_secret=SecretStr(user.totp_secret))
    )  # fmt: skip


def days_to_first_due(signed_in: SignedIn, plan_id: str) -> int:
    """Days from the sandbox's today to the plan's first due date (28 to 31): a move of a
    fixed 32 days would also pass a 3-day retry after a 28-day February."""
    due = date.fromisoformat(back_office(signed_in.admin, plan_id).installments[0].due_on)
    return (due - signed_in.admin.clock().now.date()).days


def installment_cents(setting: PlanSetting, count: int) -> int:
    """An installment that pays the statement off in ``count`` months."""
    return -(-setting.statement.balance_cents // count)


async def enroll(
    signed_in: SignedIn, setting: PlanSetting, card: SandboxCard, count: int = 4
) -> tuple[str, str]:
    reference = f"bb-plan-{uuid.uuid4().hex[:12]}"
    plan = await manager(signed_in).enroll_plan(
        PlanEnrollment(
            statement_id=setting.statement.statement_id,
            installment_amount=Money(amount_cents=installment_cents(setting, count)),
            payment_method_token=card.token,
            reference=reference,
        )
    )
    return plan.plan_id, reference


def back_office(admin: SandboxAdmin, plan_id: str) -> SandboxPlan:
    return next(plan for plan in admin.plans() if plan.plan_id == plan_id)


@ON_BOTH_LAYOUTS
async def test_plan_rules_are_the_portals_and_a_small_balance_is_refused(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    rules = await manager(signed_in).plan_rules(setting.statement.statement_id)
    truth = RULES[signed_in.portal.value]
    assert rules.statement_id == setting.statement.statement_id
    assert rules.balance == Money(amount_cents=setting.statement.balance_cents)
    assert rules.min_balance == Money(amount_cents=truth.min_balance_cents)
    assert rules.min_installment == Money(amount_cents=truth.min_installment_cents)
    assert (rules.max_term_months, rules.retry_after_days, rules.max_draft_retries) == (
        truth.max_term_months, truth.retry_after_days, truth.max_draft_retries,
    )  # fmt: skip
    with pytest.raises(PlanRefused):
        await manager(signed_in).enroll_plan(
            PlanEnrollment(
                statement_id=setting.small_statement_id,
                installment_amount=Money(amount_cents=truth.min_installment_cents),
                payment_method_token=setting.approving.token,
                reference="bb-plan-small",
            )
        )
    with pytest.raises(PlanRefused):  # below the minimum installment
        await manager(signed_in).enroll_plan(
            PlanEnrollment(
                statement_id=setting.statement.statement_id,
                installment_amount=Money(amount_cents=truth.min_installment_cents - 1),
                payment_method_token=setting.approving.token,
                reference="bb-plan-tiny",
            )
        )
    assert signed_in.admin.plans() == []


@ON_BOTH_LAYOUTS
async def test_enrollment_is_found_by_its_reference_with_its_schedule(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    plans = manager(signed_in)
    assert await plans.find_plan("bb-plan-none") is None
    plan_id, reference = await enroll(signed_in, setting, setting.approving)

    found = await plans.find_plan(reference)
    assert found is not None and found.plan_id == plan_id
    assert found.reference == reference and found.status is PlanStatus.ACTIVE
    assert found.statement_id == setting.statement.statement_id
    assert found.method_last4 == setting.approving.last4
    assert found.remaining_balance == Money(amount_cents=setting.statement.balance_cents)
    truth = back_office(signed_in.admin, plan_id)
    assert truth.reference == reference and truth.token == setting.approving.token
    enrolled_on = date.fromisoformat(truth.enrolled_on)
    assert [i.due_date for i in found.installments] == [
        add_months(enrolled_on, n) for n in range(1, 5)
    ]
    assert found.next_draft_date == add_months(enrolled_on, 1)
    assert sum(i.amount.amount_cents for i in found.installments) == truth.total_cents
    assert {i.status for i in found.installments} == {InstallmentStatus.SCHEDULED}
    with pytest.raises(PlanNotFound):
        await plans.get_plan("PLAN-NOPE")


async def test_installments_are_drafted_as_the_clock_moves_each_exactly_once(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    plan_id, _ = await enroll(signed_in, setting, setting.approving, count=3)
    await move_clock(signed_in, days_to_first_due(signed_in, plan_id))
    plan = await manager(signed_in).get_plan(plan_id)
    first = plan.installments[0]
    assert first.status is InstallmentStatus.DRAFTED and first.attempts == 1
    assert first.confirmation_number is not None
    drafted = [
        p for p in signed_in.admin.ledger() if p.confirmation_number == first.confirmation_number
    ]
    assert len(drafted) == 1 and drafted[0].amount_cents == first.amount.amount_cents
    balance = signed_in.admin.statement(setting.statement.statement_id).balance_cents
    assert balance == setting.statement.balance_cents - first.amount.amount_cents
    assert plan.remaining_balance == Money(amount_cents=balance)

    await move_clock(signed_in, 70)
    plan = await manager(signed_in).get_plan(plan_id)
    assert plan.status is PlanStatus.PAID_OFF and plan.next_draft_date is None
    assert plan.remaining_balance == Money(amount_cents=0)
    assert [i.status for i in plan.installments] == [InstallmentStatus.DRAFTED] * 3
    truth = back_office(signed_in.admin, plan_id)
    assert [len(i.charges) for i in truth.installments] == [1, 1, 1]
    assert signed_in.admin.statement(setting.statement.statement_id).balance_cents == 0


@ON_BOTH_LAYOUTS
async def test_a_plan_changes_amount_and_method_within_the_rules(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    plan_id, _ = await enroll(signed_in, setting, setting.approving, count=2)
    plans = manager(signed_in)
    new_amount = installment_cents(setting, 4)
    changed = await plans.change_plan(
        plan_id, PlanChange(installment_amount=Money(amount_cents=new_amount))
    )
    assert changed.installment_amount == Money(amount_cents=new_amount)
    assert len(changed.installments) == 4
    changed = await plans.change_plan(
        plan_id, PlanChange(payment_method_token=setting.declining.token)
    )
    assert changed.method_last4 == setting.declining.last4
    assert back_office(signed_in.admin, plan_id).token == setting.declining.token
    rules = RULES[signed_in.portal.value]
    with pytest.raises(PlanRefused):
        await plans.change_plan(
            plan_id,
            PlanChange(installment_amount=Money(amount_cents=rules.min_installment_cents - 1)),
        )
    with pytest.raises(UnknownPaymentMethod):
        await plans.change_plan(plan_id, PlanChange(payment_method_token="tok_" + "ab" * 12))
    assert (await plans.get_plan(plan_id)).installment_amount == Money(amount_cents=new_amount)


@ON_BOTH_LAYOUTS
async def test_a_cancelled_plan_stops_drafting_and_cancels_once(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    plan_id, _ = await enroll(signed_in, setting, setting.approving)
    plans = manager(signed_in)
    cancelled = await plans.cancel_plan(plan_id)
    assert cancelled.status is PlanStatus.CANCELLED and cancelled.next_draft_date is None
    again = await plans.cancel_plan(plan_id)
    assert again.status is PlanStatus.CANCELLED
    with pytest.raises(PlanRefused):
        await plans.change_plan(plan_id, PlanChange(payment_method_token=setting.approving.token))
    await move_clock(signed_in, 65)
    plan = await manager(signed_in).get_plan(plan_id)
    assert {i.status for i in plan.installments} == {InstallmentStatus.SKIPPED}
    assert all(not i.charges for i in back_office(signed_in.admin, plan_id).installments)
    balance = signed_in.admin.statement(setting.statement.statement_id).balance_cents
    assert balance == setting.statement.balance_cents


async def test_a_declined_draft_recovers_on_its_retry_after_a_method_change(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    plan_id, _ = await enroll(signed_in, setting, setting.declining)
    await move_clock(signed_in, days_to_first_due(signed_in, plan_id))
    plan = await manager(signed_in).get_plan(plan_id)
    first = plan.installments[0]
    assert first.status is InstallmentStatus.FAILED and first.attempts == 1
    assert plan.status is PlanStatus.ACTIVE and first.confirmation_number is None

    await manager(signed_in).change_plan(
        plan_id, PlanChange(payment_method_token=setting.approving.token)
    )
    await move_clock(signed_in, RULES[signed_in.portal.value].retry_after_days)
    plan = await manager(signed_in).get_plan(plan_id)
    first = plan.installments[0]
    assert first.status is InstallmentStatus.DRAFTED and first.attempts == 2
    charges = back_office(signed_in.admin, plan_id).installments[0].charges
    assert [(c.outcome, c.token) for c in charges] == [
        ("declined", setting.declining.token), ("succeeded", setting.approving.token),
    ]  # fmt: skip


async def test_a_plan_whose_drafts_keep_failing_is_delinquent(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    plan_id, _ = await enroll(signed_in, setting, setting.declining)
    rules = RULES[signed_in.portal.value]
    days = days_to_first_due(signed_in, plan_id) + rules.retry_after_days * rules.max_draft_retries
    await move_clock(signed_in, days)
    plan = await manager(signed_in).get_plan(plan_id)
    assert plan.status is PlanStatus.DELINQUENT and plan.next_draft_date is None
    first = plan.installments[0]
    assert first.status is InstallmentStatus.FAILED
    assert first.attempts == 1 + rules.max_draft_retries
    charges = back_office(signed_in.admin, plan_id).installments[0].charges
    assert [c.outcome for c in charges] == ["declined"] * (1 + rules.max_draft_retries)
    assert not any(plan_id in p.reference for p in signed_in.admin.ledger())


async def test_an_enrollment_whose_answer_is_lost_is_found_by_its_reference(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    signed_in.admin.set_faults(crash_after_submit=1)
    reference = f"bb-plan-{uuid.uuid4().hex[:12]}"
    enrollment = PlanEnrollment(
        statement_id=setting.statement.statement_id,
        installment_amount=Money(amount_cents=installment_cents(setting, 3)),
        payment_method_token=setting.approving.token,
        reference=reference,
    )
    with pytest.raises(ConfirmationMissing):
        await manager(signed_in).enroll_plan(enrollment)
    signed_in.admin.clear_faults()
    found = await manager(signed_in).find_plan(reference)
    assert found is not None and found.reference == reference
    assert [p.plan_id for p in signed_in.admin.plans(reference=reference)] == [found.plan_id]


@ON_BOTH_LAYOUTS
async def test_a_plan_page_that_lost_its_installments_is_portal_changed_at_once(
    signed_in: SignedIn, setting: PlanSetting
) -> None:
    plan_id, _ = await enroll(signed_in, setting, setting.approving)
    page: Page = vars(signed_in.adapter)["_page"]

    async def without_tables(route: Route) -> None:
        answer = await route.fetch()
        body = (await answer.text()).replace("<table", "<div").replace("</table>", "</div>")
        await route.fulfill(response=answer, body=body)

    await page.route(f"**/plans/{plan_id}", without_tables)
    started = time.monotonic()
    with pytest.raises(PortalChanged):
        await manager(signed_in).get_plan(plan_id)
    assert time.monotonic() - started < 5  # loud and fast, never a timeout retried
