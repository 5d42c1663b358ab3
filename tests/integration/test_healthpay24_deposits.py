"""HealthPay24's deposits in real Chromium against the real sandbox and processor: a deposit
paid through the hosted fields with our note, found again by that note, held for the
estimate's visit, and applied to that visit's statement once the sandbox clock passes the
billing date; crash after submit, a declined card and an estimate that asks no deposit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from pydantic import SecretStr

from models.connections import Credentials
from models.deposits import DepositStatus, DepositSubmission
from models.errors import (
    ConfirmationMissing,
    DepositNotDue,
    EstimateNotFound,
    PaymentDeclined,
    SessionExpired,
)
from models.money import Money
from portals.healthpay24.adapter import HealthPay24Adapter
from sandbox.admin_client import SandboxAdmin, SandboxEstimate, SandboxUser
from sandbox.common.layout import LayoutName
from sandbox.healthpay24.seed import DEMO_USERNAME

DAY = 24 * 3600


@pytest.fixture
def demo(healthpay24_admin: SandboxAdmin) -> SandboxUser:
    return healthpay24_admin.user(DEMO_USERNAME)


@pytest.fixture(params=[LayoutName.V1, LayoutName.V2], ids=str)
async def signed_in(
    request: pytest.FixtureRequest,
    healthpay24: HealthPay24Adapter,
    healthpay24_admin: SandboxAdmin,
    demo: SandboxUser,
) -> AsyncIterator[HealthPay24Adapter]:
    """Signed in on each layout: the redesign's deposit pages must pay and read alike."""
    layout: LayoutName = request.param
    if layout is not LayoutName.V1:
        healthpay24_admin.set_layout(layout)
    await healthpay24.login(credentials(demo))
    yield healthpay24
    healthpay24_admin.reset()  # back to v1 for whatever runs next


def credentials(user: SandboxUser) -> Credentials:
    return Credentials(
        username=user.username,
        password=SecretStr(user.password),
        totp_secret=SecretStr(user.totp_secret),
    )


def active_estimates(admin: SandboxAdmin) -> list[SandboxEstimate]:
    return [e for e in admin.estimates(DEMO_USERNAME) if e.status == "active"]


def card(user: SandboxUser, outcome: str = "approved") -> str:
    return next(c.token for c in user.cards if c.kind == "card" and c.outcome == outcome)


def deposit_on(estimate: SandboxEstimate, token: str, reference: str) -> DepositSubmission:
    return DepositSubmission(
        estimate_id=estimate.estimate_id,
        amount=Money(amount_cents=estimate.deposit_cents),
        payment_method_token=token,
        reference=reference,
    )


def test_the_demo_patient_has_active_estimates_on_two_visits(
    healthpay24_admin: SandboxAdmin, fresh_healthpay24: None
) -> None:
    estimates = active_estimates(healthpay24_admin)
    assert len({e.encounter_id for e in estimates}) == len(estimates) >= 2


async def test_deposit_paid_found_held_then_applied_to_its_visit(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    first, second = active_estimates(healthpay24_admin)[:2]
    estimate = await signed_in.get_estimate(first.estimate_id)
    assert estimate.deposit_due.amount_cents == first.deposit_cents

    paid = await signed_in.pay_deposit(deposit_on(first, card(demo), "bb-dep-1"))
    assert paid.status is DepositStatus.HELD and paid.reference == "bb-dep-1"
    assert paid.encounter_id == first.encounter_id
    assert paid.service_date == date.fromisoformat(first.service_date)
    assert paid.expected_billing_date > paid.service_date > paid.collected_on
    found = await signed_in.find_deposit("bb-dep-1")
    assert found == paid
    assert await signed_in.find_deposit("bb-dep") is None  # only an exact note is ours

    days = (paid.expected_billing_date - paid.collected_on).days
    healthpay24_admin.advance_clock(days * DAY + 60)
    with pytest.raises(SessionExpired):  # days went by: the portal signed us out
        await signed_in.get_deposit(paid.deposit_id)
    await signed_in.login(credentials(demo))
    applied = await signed_in.get_deposit(paid.deposit_id)
    assert applied.status is DepositStatus.APPLIED
    [truth] = healthpay24_admin.deposits(reference="bb-dep-1")
    assert applied.statement_id == truth.statement_id
    assert applied.amount_applied == Money(amount_cents=first.deposit_cents)
    statement = healthpay24_admin.statement(truth.statement_id or "")
    assert statement.encounter_id == first.encounter_id != second.encounter_id
    assert statement.balance_cents == statement.total_cents - first.deposit_cents
    with pytest.raises(DepositNotDue):  # its deposit is paid: the estimate asks no other
        await signed_in.pay_deposit(deposit_on(first, card(demo), "bb-dep-2"))


async def test_crash_after_deposit_submit_is_confirmation_missing_then_found(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    estimate = active_estimates(healthpay24_admin)[0]
    healthpay24_admin.set_faults(crash_after_submit=1)
    with pytest.raises(ConfirmationMissing):
        await signed_in.pay_deposit(deposit_on(estimate, card(demo), "bb-dep-crash"))
    assert len(healthpay24_admin.deposits()) == 1  # Chromium's resend did not pay twice
    found = await signed_in.find_deposit("bb-dep-crash")
    assert found is not None and found.estimate_id == estimate.estimate_id


async def test_declined_card_and_unknown_estimate_are_typed(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    estimate = active_estimates(healthpay24_admin)[0]
    with pytest.raises(PaymentDeclined):
        await signed_in.pay_deposit(deposit_on(estimate, card(demo, "declined"), "bb-dep-no"))
    assert healthpay24_admin.deposits() == []
    with pytest.raises(EstimateNotFound):
        await signed_in.get_estimate("EST-0")
