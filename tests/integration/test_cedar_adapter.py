"""CedarAdapter in real Chromium against a real Cedar sandbox process."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from playwright.async_api import Page, Route
from pydantic import SecretStr
from pypdf import PdfReader

from models.connections import Credentials
from models.errors import (
    AccountLocked,
    AmountExceedsBalance,
    BadCredentials,
    ConfirmationMissing,
    MfaRejected,
    PortalChanged,
    PortalUnavailable,
    SessionExpired,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.money import Money
from models.payments import PaymentSubmission
from portals.cedar.adapter import CedarAdapter
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.cedar.seed import UNKNOWN_CARD_TOKEN

DEMO = "demo.patient"
PAY_FORM = r".*/statements/[^/]+/pay$"


def credentials(user: SandboxUser, password: str | None = None) -> Credentials:
    return Credentials(
        username=user.username,
        password=SecretStr(password if password is not None else user.password),
        totp_secret=SecretStr(user.totp_secret),
    )


@pytest.fixture
def demo(cedar_admin: SandboxAdmin) -> SandboxUser:
    return cedar_admin.user(DEMO)


@pytest.fixture
async def signed_in(cedar: CedarAdapter, demo: SandboxUser) -> CedarAdapter:
    await cedar.login(credentials(demo))
    return cedar


def submission(
    user: SandboxUser, amount_cents: int, reference: str, index: int = 0
) -> PaymentSubmission:
    return PaymentSubmission(
        statement_id=user.statements[index].statement_id,
        amount=Money(amount_cents=amount_cents),
        payment_method_token=user.cards[0].token,
        reference=reference,
    )


async def test_login_completes_password_and_totp(
    cedar: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    await cedar.login(credentials(demo))
    assert cedar_admin.logins().by_user[DEMO]["successful"] == 1


async def test_list_statements_reads_both_pages(signed_in: CedarAdapter, demo: SandboxUser) -> None:
    summaries = await signed_in.list_statements()
    assert [s.statement_id for s in summaries] == [s.statement_id for s in demo.statements]
    for summary, truth in zip(summaries, demo.statements, strict=True):
        assert summary.balance.amount_cents == truth.balance_cents
        assert summary.total.amount_cents == truth.total_cents
        assert summary.due_on == date.fromisoformat(truth.due_on)


async def test_get_statement_matches_the_portal_records(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    truth = cedar_admin.statement(demo.statements[0].statement_id)
    statement = await signed_in.get_statement(truth.statement_id)
    assert statement.balance.amount_cents == truth.balance_cents
    assert statement.account_number == truth.account_number
    assert statement.issued_on == date.fromisoformat(truth.issued_on)
    assert [
        (i.code, i.code_system, i.patient_responsibility.amount_cents) for i in statement.line_items
    ] == [(i["code"], i["code_system"], i["patient_cents"]) for i in truth.line_items]
    assert (
        sum(i.patient_responsibility.amount_cents for i in statement.line_items)
        == truth.total_cents
    )


async def test_submit_then_find_payment(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    assert await signed_in.find_payment("bb-adapter-1") is None
    payment = (await signed_in.submit_payment(submission(demo, 1234, "bb-adapter-1"))).payment
    [recorded] = cedar_admin.ledger(reference="bb-adapter-1")
    assert payment.confirmation_number == recorded.confirmation_number
    assert (payment.amount.amount_cents, payment.method_last4) == (1234, "4242")
    found = await signed_in.find_payment("bb-adapter-1")
    assert found is not None and found.confirmation_number == payment.confirmation_number
    after = await signed_in.get_statement(payment.statement_id)
    assert after.balance.amount_cents == demo.statements[0].balance_cents - 1234


async def test_crash_after_submit_raises_confirmation_missing_but_money_moved(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    cedar_admin.set_faults(crash_after_submit=1)
    with pytest.raises(ConfirmationMissing):
        await signed_in.submit_payment(submission(demo, 500, "bb-crash-1"))
    [recorded] = cedar_admin.ledger(reference="bb-crash-1")
    assert recorded.amount_cents == 500
    assert len(cedar_admin.ledger()) == 1  # Chromium's automatic resend did not pay twice
    found = await signed_in.find_payment("bb-crash-1")
    assert found is not None and found.confirmation_number == recorded.confirmation_number


async def test_failed_submit_step_is_confirmation_missing_without_payment(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    cedar_admin.set_faults(fail_step="pay_submit")
    with pytest.raises(ConfirmationMissing):
        await signed_in.submit_payment(submission(demo, 500, "bb-500-1"))
    assert await signed_in.find_payment("bb-500-1") is None


async def test_download_receipt(signed_in: CedarAdapter, demo: SandboxUser) -> None:
    payment = (
        await signed_in.submit_payment(submission(demo, 777, "bb-receipt-1", index=1))
    ).payment
    receipt = await signed_in.download_receipt(payment.confirmation_number)
    assert receipt.filename.endswith(".pdf") and receipt.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    assert payment.confirmation_number in text and "bb-receipt-1" in text


async def test_bad_credentials(cedar: CedarAdapter, cedar_admin: SandboxAdmin) -> None:
    with pytest.raises(BadCredentials) as caught:
        await cedar.login(credentials(cedar_admin.user("wrong.password")))
    assert "wrong.password" not in caught.value.message


async def test_locked_account(cedar: CedarAdapter, cedar_admin: SandboxAdmin) -> None:
    with pytest.raises(AccountLocked):
        await cedar.login(credentials(cedar_admin.user("locked.patient")))


async def test_wrong_totp_secret_is_mfa_rejected(cedar: CedarAdapter, demo: SandboxUser) -> None:
    wrong = demo.model_copy(update={"totp_secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"})
    with pytest.raises(MfaRejected):
        await cedar.login(credentials(wrong))


async def test_unknown_statement(signed_in: CedarAdapter) -> None:
    with pytest.raises(StatementNotFound):
        await signed_in.get_statement("ST-999999")


async def test_amount_above_balance(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin, page: Page
) -> None:
    too_much = demo.statements[0].balance_cents + 1
    with pytest.raises(AmountExceedsBalance):
        await signed_in.submit_payment(submission(demo, too_much, "bb-too-much"))
    assert cedar_admin.ledger() == []
    # Refused on the form's own balance, before a single field was filled.
    assert await page.get_by_label("Reference (optional)").input_value() == ""


async def test_a_pay_form_without_its_balance_due_is_portal_changed(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin, page: Page
) -> None:
    await _serve_changed(page, PAY_FORM, "Balance due:", "Amount owed:")
    with pytest.raises(PortalChanged) as changed:
        await signed_in.submit_payment(submission(demo, 100, "bb-no-balance-due"))
    assert changed.value.message == "pay_form: the payment form shows no balance due"
    assert cedar_admin.ledger() == []


async def test_a_confirmation_without_the_remaining_balance_leaves_balance_after_unknown(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin, page: Page
) -> None:
    await _serve_changed(
        page, PAY_FORM, r"<dt>Remaining balance</dt><dd>[^<]*</dd>", "", method="POST"
    )
    confirmed = await signed_in.submit_payment(submission(demo, 250, "bb-no-balance-after"))
    assert confirmed.balance_after is None
    [recorded] = cedar_admin.ledger(reference="bb-no-balance-after")
    assert confirmed.payment.confirmation_number == recorded.confirmation_number


async def _serve_changed(
    page: Page, address: str, old: str, new: str, *, method: str = "GET"
) -> None:
    """The portal's answer to ``method`` at ``address`` (redirects followed: Playwright routes
    no redirected request), with the markup matching ``old`` replaced: a small redesign the
    sandbox has no fault for."""

    async def reworded(route: Route) -> None:
        if route.request.method != method:
            await route.continue_()
            return
        response = await route.fetch()
        body, replaced = re.subn(old, new, await response.text())
        if replaced != 1:  # not the markup this test changes: fail the test at once
            await route.abort()
            return
        await route.fulfill(response=response, body=body)

    await page.route(re.compile(address), reworded)


async def test_unknown_payment_method(signed_in: CedarAdapter, demo: SandboxUser) -> None:
    wanted = submission(demo, 100, "bb-unknown-card").model_copy(
        update={"payment_method_token": UNKNOWN_CARD_TOKEN}
    )
    with pytest.raises(UnknownPaymentMethod) as caught:
        await signed_in.submit_payment(wanted)
    assert UNKNOWN_CARD_TOKEN not in caught.value.message


async def test_expired_session(signed_in: CedarAdapter, cedar_admin: SandboxAdmin) -> None:
    cedar_admin.expire_sessions()
    with pytest.raises(SessionExpired):
        await signed_in.list_statements()


async def test_server_error_is_portal_unavailable(
    signed_in: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    cedar_admin.set_faults(fail_step="statements", fail_times=1)
    with pytest.raises(PortalUnavailable):
        await signed_in.list_statements()
    assert len(await signed_in.list_statements()) == 4


async def test_receipt_server_error_is_portal_unavailable(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    payment = (await signed_in.submit_payment(submission(demo, 300, "bb-receipt-500"))).payment
    cedar_admin.set_faults(fail_step="receipt")
    with pytest.raises(PortalUnavailable):
        await signed_in.download_receipt(payment.confirmation_number)
    receipt = await signed_in.download_receipt(payment.confirmation_number)
    assert receipt.content.startswith(b"%PDF")


async def test_receipt_on_a_signed_out_session_is_session_expired(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    """The PDF comes over the session's HTTP client; a sign-in page instead falls back to the
    confirmation page, which says why."""
    payment = (
        await signed_in.submit_payment(submission(demo, 200, "bb-receipt-signed-out"))
    ).payment
    cedar_admin.expire_sessions()
    with pytest.raises(SessionExpired):
        await signed_in.download_receipt(payment.confirmation_number)
