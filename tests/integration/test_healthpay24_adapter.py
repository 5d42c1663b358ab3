"""HealthPay24Adapter in real Chromium against real HealthPay24 sandbox and processor
processes: sign-in (TOTP, texted codes split across browser contexts), the normalized
records agreeing with the sandbox's ground truth, and the iframe checkout."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page
from pydantic import SecretStr
from pypdf import PdfReader

from models.connections import Credentials
from models.errors import (
    AccountLocked,
    AmountExceedsBalance,
    BadCredentials,
    ConfirmationMissing,
    InsufficientFunds,
    MfaRejected,
    PaymentDeclined,
    SessionExpired,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.money import Money
from models.payments import PaymentMethodKind, PaymentSubmission
from models.sessions import MfaChallenge, MfaMethod
from models.vendor_extensions import HealthPay24StatementExtension
from portals.healthpay24.adapter import HealthPay24Adapter
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.healthpay24.seed import DEMO_USERNAME, SMS_USERNAME, UNKNOWN_TOKEN
from sandbox.launcher import PortalProcess

TEXTED = MfaChallenge(
    method=MfaMethod.SMS,
    masked_destination="(***) ***-0112",
    message="We texted a security code to (***) ***-0112.",
)


def credentials(user: SandboxUser, password: str | None = None) -> Credentials:
    return Credentials(
        username=user.username,
        password=SecretStr(password if password is not None else user.password),
        totp_secret=SecretStr(user.totp_secret) if user.totp_secret else None,
    )


@pytest.fixture
def demo(healthpay24_admin: SandboxAdmin) -> SandboxUser:
    return healthpay24_admin.user(DEMO_USERNAME)


@pytest.fixture
def sms(healthpay24_admin: SandboxAdmin) -> SandboxUser:
    return healthpay24_admin.user(SMS_USERNAME)


@pytest.fixture
async def signed_in(healthpay24: HealthPay24Adapter, demo: SandboxUser) -> HealthPay24Adapter:
    await healthpay24.login(credentials(demo))
    return healthpay24


def pay(
    user: SandboxUser, cents: int, reference: str, *, outcome: str = "approved",
    kind: str = "card", index: int = 0,
) -> PaymentSubmission:  # fmt: skip
    token = next(c.token for c in user.cards if c.outcome == outcome and c.kind == kind)
    return PaymentSubmission(
        statement_id=user.statements[index].statement_id,
        amount=Money(amount_cents=cents),
        payment_method_token=token,
        reference=reference,
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_totp_login(
    healthpay24: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    await healthpay24.login(credentials(demo))
    assert healthpay24_admin.logins().by_user[DEMO_USERNAME]["successful"] == 1
    assert await healthpay24.is_signed_in()


async def test_sms_login_split_at_the_texted_code(
    healthpay24: HealthPay24Adapter, sms: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    with pytest.raises(MfaRejected):  # login() cannot read a text message
        await healthpay24.login(credentials(sms))
    assert await healthpay24.start_login(credentials(sms)) == TEXTED
    code = healthpay24_admin.latest_code(SMS_USERNAME)
    assert await healthpay24.submit_mfa_code(wrong(code)) is False
    assert await healthpay24.submit_mfa_code("12ab56") is False  # never sent to the portal
    assert await healthpay24.resend_mfa_code() == TEXTED
    new = healthpay24_admin.latest_code(SMS_USERNAME)
    if new != code:  # one time in a million they are the same
        assert await healthpay24.submit_mfa_code(code) is False
    assert await healthpay24.submit_mfa_code(f"{new[:3]} {new[3:]}") is True
    counts = healthpay24_admin.logins()
    assert counts.by_user[SMS_USERNAME]["successful"] == 1
    assert counts.failed_mfa == (2 if new != code else 1)


async def test_code_entered_in_another_context(
    page: Page, healthpay24: HealthPay24Adapter, healthpay24_portal: PortalProcess,
    sms: SandboxUser, healthpay24_admin: SandboxAdmin,
) -> None:  # fmt: skip
    assert await healthpay24.start_login(credentials(sms)) == TEXTED
    pending: dict[str, Any] = dict(await page.context.storage_state())
    browser: Browser | None = page.context.browser
    assert browser is not None
    context = await browser.new_context(storage_state=pending)  # type: ignore[arg-type]
    try:
        later = HealthPay24Adapter(await context.new_page(), healthpay24_portal.base_url)
        assert await later.submit_mfa_code(healthpay24_admin.latest_code(SMS_USERNAME)) is True
        statements = await later.list_statements()
        remembered: dict[str, Any] = dict(await context.storage_state())
    finally:
        await context.close()
    assert [s.statement_id for s in statements] == [s.statement_id for s in sms.statements]
    # "Remember this device" was ticked: that browser's next sign-in skips the code.
    context = await browser.new_context(storage_state=remembered)  # type: ignore[arg-type]
    try:
        again = HealthPay24Adapter(await context.new_page(), healthpay24_portal.base_url)
        assert await again.start_login(credentials(sms)) is None
    finally:
        await context.close()
    assert len(healthpay24_admin.outbox(SMS_USERNAME)) == 1


async def test_bad_credentials_and_locked(
    healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin
) -> None:
    with pytest.raises(BadCredentials) as caught:
        await healthpay24.login(credentials(healthpay24_admin.user("wrong.password")))
    assert "wrong.password" not in caught.value.message
    with pytest.raises(AccountLocked):
        await healthpay24.login(credentials(healthpay24_admin.user("locked.patient")))


async def test_list_accounts_agrees_with_the_sandbox(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin,
    healthpay24_portal: PortalProcess,
) -> None:  # fmt: skip
    truth = healthpay24_admin.accounts(DEMO_USERNAME)
    raw = sandbox_json(healthpay24_portal, "/accounts", DEMO_USERNAME)["accounts"]
    accounts = await signed_in.list_accounts()
    assert [a.identifier for a in accounts] == [t.account_id for t in truth]
    for account, expected, extra in zip(accounts, truth, raw, strict=True):
        assert account.guarantor.identifier == expected.guarantor_id
        assert account.guarantor.name == expected.guarantor_name == demo.full_name
        assert account.guarantor.birth_date == date.fromisoformat(expected.birth_date or "")
        assert account.balance.amount_cents == expected.balance_cents
        assert account.status.value == expected.status
        assert account.name == extra["patient_name"]
        assert [e.identifier for e in account.encounters] == [
            e["encounter_id"] for e in extra["encounters"]
        ]
        assert account.extension is not None and account.extension.vendor == "healthpay24"


async def test_statements_agree_with_the_sandbox(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    summaries = await signed_in.list_statements()
    assert [s.statement_id for s in summaries] == [s.statement_id for s in demo.statements]
    for summary, expected in zip(summaries, demo.statements, strict=True):
        assert summary.balance.amount_cents == expected.balance_cents
        assert summary.total.amount_cents == expected.total_cents
        assert (summary.issued_on, summary.due_on) == (
            date.fromisoformat(expected.issued_on), date.fromisoformat(expected.due_on)
        )  # fmt: skip
        assert isinstance(summary.extension, HealthPay24StatementExtension)
        assert summary.extension.pdf_available
        assert summary.extension.account_number == expected.account_number
    truth = healthpay24_admin.statement(demo.statements[0].statement_id)
    statement = await signed_in.get_statement(truth.statement_id)
    assert statement.account_number == truth.account_number
    assert statement.balance.amount_cents == truth.balance_cents
    assert [
        (i.service_date.isoformat(), i.code, i.code_system, i.charge.amount_cents,
         i.patient_responsibility.amount_cents)
        for i in statement.line_items
    ] == [
        (i["service_date"], i["code"], i["code_system"], i["charge_cents"], i["patient_cents"])
        for i in truth.line_items
    ]  # fmt: skip
    with pytest.raises(StatementNotFound):
        await signed_in.get_statement(
            healthpay24_admin.user(SMS_USERNAME).statements[0].statement_id
        )


async def test_estimates_agree_with_the_sandbox(
    signed_in: HealthPay24Adapter, healthpay24_admin: SandboxAdmin
) -> None:
    truth = healthpay24_admin.estimates(DEMO_USERNAME)
    estimates = await signed_in.list_estimates()
    assert [e.identifier for e in estimates] == [t.estimate_id for t in truth]
    for estimate, expected in zip(estimates, truth, strict=True):
        assert estimate.status.value == expected.status
        assert estimate.service_date == date.fromisoformat(expected.service_date)
        assert estimate.account == expected.account_number
        assert estimate.deposit_due.amount_cents == expected.deposit_cents
        assert estimate.patient_responsibility.amount_cents == expected.patient_cents
        assert [(line.code, line.expected_charge.amount_cents) for line in estimate.lines] == [
            (line.code, line.expected_charge_cents) for line in expected.lines
        ]


async def test_card_payment_through_the_iframe_then_found_by_note(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    assert await signed_in.find_payment("bb-hp24-card") is None
    payment = (await signed_in.submit_payment(pay(demo, 1234, "bb-hp24-card"))).payment
    [recorded] = healthpay24_admin.ledger(reference="bb-hp24-card")
    assert payment.confirmation_number == recorded.confirmation_number
    assert (payment.amount.amount_cents, payment.method_last4) == (1234, "4242")
    assert payment.method_kind is PaymentMethodKind.CARD
    found = await signed_in.find_payment("bb-hp24-card")
    assert found == payment
    assert await signed_in.find_payment("bb-hp24") is None  # the portal's search is "contains"
    after = await signed_in.get_statement(payment.statement_id)
    assert after.balance.amount_cents == demo.statements[0].balance_cents - 1234


async def test_ach_payment(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    payment = (
        await signed_in.submit_payment(pay(demo, 250, "bb-hp24-ach", kind="ach", index=1))
    ).payment
    assert (payment.method_kind, payment.method_last4) == (PaymentMethodKind.ACH, "6789")
    [recorded] = healthpay24_admin.ledger(reference="bb-hp24-ach")
    assert recorded.card_token.startswith("btok_")
    assert await signed_in.find_payment("bb-hp24-ach") == payment


@pytest.mark.parametrize(
    ("outcome", "error"),
    [("declined", PaymentDeclined), ("insufficient_funds", InsufficientFunds)],
)
async def test_declines_are_typed_and_post_nothing(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin,
    outcome: str, error: type[PaymentDeclined],
) -> None:  # fmt: skip
    with pytest.raises(PaymentDeclined) as caught:
        await signed_in.submit_payment(pay(demo, 500, f"bb-{outcome}", outcome=outcome))
    assert type(caught.value) is error and caught.value.non_retryable
    assert healthpay24_admin.ledger() == []
    assert await signed_in.find_payment(f"bb-{outcome}") is None


async def test_unknown_payment_method_and_amount_above_balance(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    unknown = pay(demo, 100, "bb-unknown").model_copy(
        update={"payment_method_token": UNKNOWN_TOKEN}
    )
    with pytest.raises(UnknownPaymentMethod):
        await signed_in.submit_payment(unknown)
    too_much = demo.statements[0].balance_cents + 1
    with pytest.raises(AmountExceedsBalance):
        await signed_in.submit_payment(pay(demo, too_much, "bb-too-much"))
    assert healthpay24_admin.ledger() == []


async def test_crash_after_submit_is_confirmation_missing_then_found(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    healthpay24_admin.set_faults(crash_after_submit=1)
    with pytest.raises(ConfirmationMissing):
        await signed_in.submit_payment(pay(demo, 500, "bb-hp24-crash"))
    [recorded] = healthpay24_admin.ledger(reference="bb-hp24-crash")
    assert recorded.amount_cents == 500
    assert len(healthpay24_admin.ledger()) == 1  # Chromium's automatic resend did not pay twice
    found = await signed_in.find_payment("bb-hp24-crash")
    assert found is not None and found.confirmation_number == recorded.confirmation_number


async def test_failed_submit_is_confirmation_missing_without_payment(
    signed_in: HealthPay24Adapter, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    healthpay24_admin.set_faults(fail_step="pay_submit")
    with pytest.raises(ConfirmationMissing):
        await signed_in.submit_payment(pay(demo, 500, "bb-hp24-500"))
    assert await signed_in.find_payment("bb-hp24-500") is None


async def test_receipt_and_statement_pdfs(signed_in: HealthPay24Adapter, demo: SandboxUser) -> None:
    payment = (await signed_in.submit_payment(pay(demo, 777, "bb-hp24-receipt", index=1))).payment
    receipt = await signed_in.download_receipt(payment.confirmation_number)
    assert receipt.filename.endswith(".pdf") and receipt.content.startswith(b"%PDF")
    text = pdf_text(receipt.content)
    assert payment.confirmation_number in text and "bb-hp24-receipt" in text
    document = await signed_in.download_statement_pdf(payment.statement_id)
    assert document.filename == f"HealthPay24-statement-{payment.statement_id}.pdf"
    assert payment.statement_id in pdf_text(document.content)


async def test_expired_session_is_session_expired(
    signed_in: HealthPay24Adapter, healthpay24_admin: SandboxAdmin
) -> None:
    healthpay24_admin.expire_sessions()
    with pytest.raises(SessionExpired):
        await signed_in.list_statements()
    assert await signed_in.is_signed_in() is False


def sandbox_json(portal: PortalProcess, path: str, username: str) -> Any:
    """An admin API answer with the fields SandboxAdmin's models leave out."""
    answer = httpx.get(f"{portal.base_url}/__sandbox__{path}", params={"username": username})
    answer.raise_for_status()
    return answer.json()


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
