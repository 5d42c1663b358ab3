"""PatientcoAdapter in real Chromium against a real Patientco sandbox (console + Patientco ID)
and the sandbox processor, every call over HTTP."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page
from pydantic import SecretStr
from pypdf import PdfReader

from models.accounts import AccountStatus
from models.connections import Credentials
from models.errors import (
    AccountLocked,
    AmountExceedsBalance,
    BadCredentials,
    ConfirmationMissing,
    InsufficientFunds,
    MfaCodeExpired,
    PaymentDeclined,
    SessionExpired,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.money import Money
from models.payments import PaymentMethodKind, PaymentSubmission
from models.sessions import MfaMethod
from models.settlements import SettlementDetailType, SettlementStatus
from models.vendor_extensions import PatientcoAccountExtension, PatientcoStatementExtension
from portals.patientco.adapter import PatientcoAdapter
from sandbox.admin_client import SandboxAdmin, SandboxStatement, SandboxUser
from sandbox.launcher import PortalProcess
from sandbox.patientco.seed import DEMO_USERNAME, EMAIL_USERNAME, LOCKED_USERNAME
from tests.integration.patientco_http import refund, sign_in_demo

UNKNOWN_TOKEN = "tok_ffffffffffffffffffffffff"


def credentials(user: SandboxUser) -> Credentials:
    secret = SecretStr(user.totp_secret) if user.totp_secret else None
    return Credentials(
        username=user.username, password=SecretStr(user.password), totp_secret=secret
    )


@pytest.fixture
def demo(patientco_admin: SandboxAdmin) -> SandboxUser:
    return patientco_admin.user(DEMO_USERNAME)


@pytest.fixture
async def signed_in(patientco: PatientcoAdapter, demo: SandboxUser) -> PatientcoAdapter:
    await patientco.login(credentials(demo))
    return patientco


def payable(user: SandboxUser) -> SandboxStatement:
    """The demo guarantor's statement with the largest balance (its four come first)."""
    return max(user.statements[:4], key=lambda statement: statement.balance_cents)


def pay(user: SandboxUser, cents: int, reference: str, card: int = 0) -> PaymentSubmission:
    return PaymentSubmission(
        statement_id=payable(user).statement_id,
        amount=Money(amount_cents=cents),
        payment_method_token=user.cards[card].token,
        reference=reference,
    )


async def test_totp_login_follows_sso_to_the_console(
    patientco: PatientcoAdapter, demo: SandboxUser, patientco_admin: SandboxAdmin
) -> None:
    assert await patientco.start_login(credentials(demo)) is None
    assert await patientco.is_signed_in()
    assert patientco_admin.logins().by_user[DEMO_USERNAME]["successful"] == 1


async def test_email_code_login_split_across_browser_contexts(
    patientco: PatientcoAdapter, page: Page, patientco_portal: PortalProcess,
    patientco_admin: SandboxAdmin,
) -> None:  # fmt: skip
    user = patientco_admin.user(EMAIL_USERNAME)
    challenge = await patientco.start_login(credentials(user))
    assert challenge is not None and challenge.method is MfaMethod.EMAIL
    assert challenge.masked_destination == "e***@riversidehealth.example"
    state = await page.context.storage_state()
    browser = page.context.browser
    assert browser is not None
    later = await browser.new_context(storage_state=state)  # type: ignore[arg-type]
    try:
        resumed = PatientcoAdapter(await later.new_page(), patientco_portal.base_url)
        assert not await resumed.submit_mfa_code("12345")  # not a code: nothing spent
        resent = await resumed.resend_mfa_code()
        assert resent.masked_destination == challenge.masked_destination
        wrong = "000000" if patientco_admin.latest_code(EMAIL_USERNAME) != "000000" else "111111"
        assert not await resumed.submit_mfa_code(wrong)
        assert await resumed.submit_mfa_code(patientco_admin.latest_code(EMAIL_USERNAME))
        assert await resumed.is_signed_in()
    finally:
        await later.close()
    counts = patientco_admin.logins().by_user[EMAIL_USERNAME]
    assert (counts["mfa_codes_sent"], counts["failed_mfa"], counts["successful"]) == (2, 1, 1)


async def test_wrong_password_and_locked_are_typed(
    patientco: PatientcoAdapter, patientco_admin: SandboxAdmin
) -> None:
    with pytest.raises(BadCredentials) as caught:
        await patientco.login(credentials(patientco_admin.user("wrong.password")))
    assert "wrong.password" not in caught.value.message
    with pytest.raises(AccountLocked):
        await patientco.login(credentials(patientco_admin.user(LOCKED_USERNAME)))


async def test_accounts_statements_and_detail_agree_with_the_admin_api(
    signed_in: PatientcoAdapter, demo: SandboxUser, patientco_admin: SandboxAdmin,
    patientco_portal: PortalProcess,
) -> None:  # fmt: skip
    accounts = await signed_in.list_accounts()
    truth = {a.account_id: a for a in patientco_admin.accounts(DEMO_USERNAME)}
    assert [a.identifier for a in accounts] == list(truth)
    for account in accounts:
        expected = truth[account.identifier]
        assert (account.guarantor.identifier, account.guarantor.name, account.guarantor.mrn) == (
            expected.guarantor_id, expected.guarantor_name, expected.mrn)  # fmt: skip
        assert account.guarantor.birth_date == date.fromisoformat(expected.birth_date or "")
        assert account.balance.amount_cents == expected.balance_cents
        assert account.status is AccountStatus(expected.status)
        assert account.encounters and isinstance(account.extension, PatientcoAccountExtension)
        assert account.extension.guarantor_number == expected.guarantor_id

    summaries = await signed_in.list_statements()
    assert [s.statement_id for s in summaries] == [s.statement_id for s in demo.statements]
    for summary, expected_summary in zip(summaries, demo.statements, strict=True):
        assert summary.balance.amount_cents == expected_summary.balance_cents
        assert summary.due_on == date.fromisoformat(expected_summary.due_on)

    detail_truth = patientco_admin.statement(demo.statements[0].statement_id)
    statement = await signed_in.get_statement(detail_truth.statement_id)
    assert statement.account_number == detail_truth.account_number
    assert [(i.code, i.code_system, i.patient_responsibility.amount_cents)
            for i in statement.line_items] == [
        (i["code"], i["code_system"], i["patient_cents"]) for i in detail_truth.line_items
    ]  # fmt: skip
    extension = statement.extension
    assert isinstance(extension, PatientcoStatementExtension)
    async with httpx.AsyncClient(base_url=patientco_portal.base_url) as http:
        raw = await http.get(f"/__sandbox__/statements/{statement.statement_id}")
    expected_delivery = (raw.json()["delivery_channel"], raw.json()["delivery_status"])
    assert (extension.delivery_channel, extension.delivery_status) == expected_delivery
    assert extension.period_start is not None and extension.period_end is not None
    assert statement.balance.amount_cents == detail_truth.balance_cents
    with pytest.raises(StatementNotFound):
        await signed_in.get_statement("PS999999")


async def test_card_and_ach_payments_are_found_by_reference(
    signed_in: PatientcoAdapter, demo: SandboxUser, patientco_admin: SandboxAdmin
) -> None:
    assert await signed_in.find_payment("bb-pco-card") is None
    card = (await signed_in.submit_payment(pay(demo, 1234, "bb-pco-card"))).payment
    ach = (await signed_in.submit_payment(pay(demo, 2500, "bb-pco-ach", card=1))).payment
    assert (card.method_kind, card.method_last4) == (PaymentMethodKind.CARD, "4242")
    assert (ach.method_kind, ach.method_last4) == (PaymentMethodKind.ACH, "6789")
    for payment, reference in ((card, "bb-pco-card"), (ach, "bb-pco-ach")):
        [recorded] = patientco_admin.ledger(reference=reference)
        assert recorded.confirmation_number == payment.confirmation_number
        found = await signed_in.find_payment(reference)
        assert found is not None and found.confirmation_number == payment.confirmation_number
        assert (found.method_kind, found.amount) == (payment.method_kind, payment.amount)
    assert await signed_in.find_payment("bb-pco") is None  # a prefix is not our reference
    after = await signed_in.get_statement(payable(demo).statement_id)
    assert after.balance.amount_cents == payable(demo).balance_cents - 1234 - 2500


async def test_declines_are_typed_and_post_nothing(
    signed_in: PatientcoAdapter, demo: SandboxUser, patientco_admin: SandboxAdmin
) -> None:
    with pytest.raises(PaymentDeclined) as declined:
        await signed_in.submit_payment(pay(demo, 500, "bb-declined", card=2))
    assert not isinstance(declined.value, InsufficientFunds)
    with pytest.raises(InsufficientFunds):
        await signed_in.submit_payment(pay(demo, 500, "bb-short", card=3))
    with pytest.raises(UnknownPaymentMethod):
        await signed_in.submit_payment(
            pay(demo, 500, "bb-unknown").model_copy(update={"payment_method_token": UNKNOWN_TOKEN})
        )
    with pytest.raises(AmountExceedsBalance):
        await signed_in.submit_payment(pay(demo, payable(demo).balance_cents + 1, "bb-much"))
    assert patientco_admin.ledger() == []


async def test_crash_after_submit_is_confirmation_missing_then_found(
    signed_in: PatientcoAdapter, demo: SandboxUser, patientco_admin: SandboxAdmin
) -> None:
    patientco_admin.set_faults(crash_after_submit=1)
    with pytest.raises(ConfirmationMissing):
        await signed_in.submit_payment(pay(demo, 700, "bb-pco-crash"))
    [recorded] = patientco_admin.ledger()
    found = await signed_in.find_payment("bb-pco-crash")
    assert found is not None and found.confirmation_number == recorded.confirmation_number


async def test_receipt_pdf(signed_in: PatientcoAdapter, demo: SandboxUser) -> None:
    payment = (await signed_in.submit_payment(pay(demo, 999, "bb-pco-receipt"))).payment
    receipt = await signed_in.download_receipt(payment.confirmation_number)
    assert receipt.filename.endswith(".pdf") and receipt.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    assert payment.confirmation_number in text and "bb-pco-receipt" in text


async def test_expired_session(signed_in: PatientcoAdapter, patientco_admin: SandboxAdmin) -> None:
    patientco_admin.expire_sessions()
    with pytest.raises(SessionExpired):
        await signed_in.list_statements()
    assert not await signed_in.is_signed_in()


async def test_settlement_batches_agree_with_the_ground_truth(
    signed_in: PatientcoAdapter, demo: SandboxUser, patientco_admin: SandboxAdmin,
    patientco_portal: PortalProcess,
) -> None:  # fmt: skip
    assert await signed_in.list_settlement_batches() == []
    first = (await signed_in.submit_payment(pay(demo, 2000, "bb-batch-1"))).payment
    await signed_in.submit_payment(pay(demo, 1500, "bb-batch-2", card=1))
    settled = patientco_admin.close_settlement_batch()
    with httpx.Client(base_url=patientco_portal.base_url, timeout=10.0) as staff:
        sign_in_demo(staff)
        assert refund(staff, first.confirmation_number, "3.25", "OVP").status_code == 303
    await signed_in.submit_payment(pay(demo, 100, "bb-batch-3"))

    batches = await signed_in.list_settlement_batches()
    truth = patientco_admin.settlement_batches()
    assert [b.identifier for b in batches] == [t["batch_id"] for t in truth]
    for batch, expected in zip(batches, truth, strict=True):
        assert batch.status is SettlementStatus(expected["status"])
        assert batch.payment_amount.amount_cents == expected["net_cents"]
        assert [(d.identifier, d.amount.amount_cents) for d in batch.details] == [
            (t["transaction_id"], t["amount_cents"]) for t in expected["transactions"]
        ]
    open_batch, closed = batches
    assert closed.identifier == settled and closed.payment_date is not None
    assert closed.payment_amount.amount_cents == 3500
    assert open_batch.status is SettlementStatus.OPEN and open_batch.payment_date is None
    kinds = sorted(d.type for d in open_batch.details)
    assert kinds == [SettlementDetailType.PAYMENT, SettlementDetailType.REFUND]
    assert open_batch.payment_amount.amount_cents == 100 - 325


async def test_an_expired_emailed_code_is_typed(
    page: Page, processor: PortalProcess, tmp_path: Path
) -> None:
    """A console whose emailed codes live a minute, its clock moved past it (no sleep): the
    adapter reports MfaCodeExpired."""
    portal = PortalProcess(
        "patientco", tmp_path / "patientco.sqlite3", log_path=tmp_path / "patientco.log",
        extra_args=["--processor-url", processor.base_url, "--code-seconds", "60"],
    )  # fmt: skip
    with portal, SandboxAdmin(portal.base_url) as admin:
        adapter = PatientcoAdapter(page, portal.base_url)
        assert await adapter.start_login(credentials(admin.user(EMAIL_USERNAME))) is not None
        code = admin.latest_code(EMAIL_USERNAME)
        admin.advance_clock(61)
        with pytest.raises(MfaCodeExpired):
            await adapter.submit_mfa_code(code)
        await adapter.resend_mfa_code()
        assert await adapter.submit_mfa_code(admin.latest_code(EMAIL_USERNAME))
