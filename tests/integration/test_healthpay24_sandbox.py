"""The HealthPay24 sandbox over plain HTTP: sign-in, the admin contract, the three-step
checkout charging through the real sandbox processor, faults and PDFs."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.healthpay24.seed import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERNAME,
    SMS_PASSWORD,
    SMS_PHONE,
    SMS_USERNAME,
    UNKNOWN_TOKEN,
)
from sandbox.launcher import PortalProcess

pytestmark = pytest.mark.usefixtures("fresh_healthpay24")

CONFIRMATION = re.compile(r"HP24-[A-Z0-9]{10}")
HOME = "/portal/accounts"


@pytest.fixture
def client(healthpay24_portal: PortalProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=healthpay24_portal.base_url, timeout=10.0) as http:
        yield http


@pytest.fixture
def demo(healthpay24_admin: SandboxAdmin) -> SandboxUser:
    return healthpay24_admin.user(DEMO_USERNAME)


def sign_in_demo(client: httpx.Client) -> None:
    client.post("/signin", data={"user_id": DEMO_USERNAME, "password": DEMO_PASSWORD})
    code = Totp(DEMO_TOTP_SECRET).now()
    landed = client.post("/signin/verify", data={"security_code": code}, follow_redirects=True)
    assert landed.url.path == HOME and "My accounts" in landed.text


def checkout(
    client: httpx.Client, statement_id: str, amount: str, note: str, token: str
) -> httpx.Response:
    """The three steps as the browser posts them; the answer to "Submit payment"."""
    start = client.get(f"/portal/statements/{statement_id}/pay")
    steps = start.headers["location"].removesuffix("/amount")
    amount_step = client.post(
        f"{steps}/amount",
        data={"amount_choice": "other", "other_amount": amount, "payment_note": note},
    )
    assert amount_step.headers["location"] == f"{steps}/method", amount_step.text
    method_page = client.get(f"{steps}/method")
    assert 'title="Secure payment fields"' in method_page.text
    chosen = client.post(f"{steps}/method", data={"payment_token": token})
    assert chosen.headers["location"] == f"{steps}/review"
    assert "Step 3 of 3" in client.get(f"{steps}/review").text
    return client.post(f"{steps}/submit", data={"authorize": "yes"})


def card(user: SandboxUser, outcome: str, kind: str = "card") -> str:
    return next(c.token for c in user.cards if c.outcome == outcome and c.kind == kind)


def test_health_names_the_vendor(healthpay24_admin: SandboxAdmin) -> None:
    assert healthpay24_admin.health() == {"status": "ok", "vendor": "healthpay24"}


def test_admin_contract_for_the_demo_login(
    healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    assert (demo.mfa_method, demo.totp_secret, demo.magic_kind) == (
        "totp",
        DEMO_TOTP_SECRET,
        "demo",
    )
    assert [(c.kind, c.outcome) for c in demo.cards] == [
        ("card", "approved"), ("ach", "approved"), ("card", "declined"),
        ("card", "insufficient_funds"),
    ]  # fmt: skip
    assert [c.last4 for c in demo.cards] == ["4242", "6789", "0002", "9995"]
    assert len(demo.statements) == 4 and all(s.balance_cents >= 1000 for s in demo.statements)
    accounts = healthpay24_admin.accounts(DEMO_USERNAME)
    assert len(accounts) == 2 and {a.guarantor_name for a in accounts} == {demo.full_name}
    assert {s.account_number for s in demo.statements} == {a.account_id for a in accounts}
    assert sum(a.balance_cents for a in accounts) == sum(s.balance_cents for s in demo.statements)
    detail = healthpay24_admin.statement(demo.statements[0].statement_id)
    assert detail.line_items and detail.payment_methods[0].outcome == "approved"
    assert sum(i["patient_cents"] for i in detail.line_items) == detail.total_cents
    sms = healthpay24_admin.user(SMS_USERNAME)
    assert (sms.mfa_method, sms.phone, sms.totp_secret) == ("sms", SMS_PHONE, "")
    everything = " ".join(user.model_dump_json() for user in healthpay24_admin.users())
    assert re.search(r"\d{13,}", everything) is None  # nothing a card-number filter would eat


def test_estimates_ground_truth(healthpay24_admin: SandboxAdmin) -> None:
    estimates = healthpay24_admin.estimates(DEMO_USERNAME)
    assert sorted(e.status for e in estimates) == ["active", "active", "deposit-paid", "expired"]
    assert len({e.encounter_id for e in estimates}) == len(estimates)  # a visit each
    for estimate in estimates:
        assert estimate.patient_cents == sum(line.patient_cents for line in estimate.lines)
        assert 0 < estimate.deposit_cents <= estimate.patient_cents


def test_totp_sign_in_lands_on_accounts_and_is_counted(
    client: httpx.Client, healthpay24_admin: SandboxAdmin
) -> None:
    first = client.post("/signin", data={"user_id": DEMO_USERNAME, "password": DEMO_PASSWORD})
    assert first.status_code == 303 and first.headers["location"] == "/signin/verify"
    assert "authenticator app" in client.get("/signin/verify").text
    assert "incorrect" in client.post("/signin/verify", data={"security_code": "000000"}).text
    sign_in_demo(client)
    counts = healthpay24_admin.logins()
    assert (counts.successful, counts.failed_mfa) == (1, 1)


def test_sms_code_is_texted_and_signs_in(
    client: httpx.Client, healthpay24_admin: SandboxAdmin
) -> None:
    client.post("/signin", data={"user_id": SMS_USERNAME, "password": SMS_PASSWORD})
    screen = client.get("/signin/verify").text
    assert "We texted a security code to (***) ***-0112." in screen
    assert "Text me a new code" in screen and "Remember this device" in screen
    [message] = healthpay24_admin.outbox(SMS_USERNAME)
    assert (message.channel, message.destination) == ("sms", SMS_PHONE)
    assert message.masked_destination == "(***) ***-0112" and re.fullmatch(r"\d{6}", message.code)
    resent = client.post("/signin/verify/resend", follow_redirects=True)
    assert "We texted you a new code" in resent.text
    old, new = message.code, healthpay24_admin.latest_code(SMS_USERNAME)
    if old != new:  # one time in a million they are the same
        assert "incorrect" in client.post("/signin/verify", data={"security_code": old}).text
    answer = client.post("/signin/verify", data={"security_code": new, "remember_device": "on"})
    assert answer.headers["location"] == HOME
    counts = healthpay24_admin.logins()
    assert (counts.successful, counts.mfa_codes_sent) == (1, 2)
    client.get("/signout")
    again = client.post("/signin", data={"user_id": SMS_USERNAME, "password": SMS_PASSWORD})
    assert again.headers["location"] == HOME  # the remembered device skips the code
    assert len(healthpay24_admin.outbox(SMS_USERNAME)) == 2


def test_magic_and_locking_logins(client: httpx.Client, healthpay24_admin: SandboxAdmin) -> None:
    wrong = client.post("/signin", data={"user_id": "wrong.password", "password": "x"})
    assert "The User ID or password you entered is incorrect." in wrong.text
    locked = client.post("/signin", data={"user_id": "locked.patient", "password": "x"})
    assert "This account has been locked" in locked.text
    regular = next(u for u in healthpay24_admin.users() if not u.magic)
    answers = [
        client.post("/signin", data={"user_id": regular.username, "password": "nope"}).text
        for _ in range(5)
    ]
    assert "incorrect" in answers[3] and "This account has been locked" in answers[4]
    right = client.post("/signin", data={"user_id": regular.username, "password": regular.password})
    assert "This account has been locked" in right.text
    for _ in range(6):
        client.post("/signin", data={"user_id": DEMO_USERNAME, "password": "bad"})
    sign_in_demo(client)  # the demo login never locks


def test_five_wrong_codes_restart_the_sign_in(client: httpx.Client) -> None:
    client.post("/signin", data={"user_id": DEMO_USERNAME, "password": DEMO_PASSWORD})
    answers = [
        client.post("/signin/verify", data={"security_code": "000000"}).text for _ in range(5)
    ]
    assert "Too many incorrect security codes" in answers[4]
    assert client.get("/signin/verify").headers["location"] == "/signin"


def test_card_payment_moves_money_once(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    sign_in_demo(client)
    statement = demo.statements[0]
    answer = checkout(client, statement.statement_id, "10.05", "bb-http-1", card(demo, "approved"))
    assert answer.status_code == 303
    found = CONFIRMATION.search(answer.headers["location"])
    assert found is not None
    receipt = client.get(answer.headers["location"])
    assert "Thank you for your payment" in receipt.text and "USD 10.05" in receipt.text
    assert "Visa ending in 4242" in receipt.text
    [payment] = healthpay24_admin.ledger(reference="bb-http-1")
    assert (payment.amount_cents, payment.confirmation_number) == (1005, found.group())
    after = healthpay24_admin.statement(statement.statement_id)
    assert (after.balance_cents, after.status) == (statement.balance_cents - 1005, "Partially paid")
    # The activity search finds notes containing the text, whatever the case.
    assert found.group() in client.get("/portal/payment-activity", params={"note": "HTTP-1"}).text
    assert "No payments match" in client.get("/portal/payment-activity?note=zzz").text


def test_ach_payment_is_recorded_as_a_bank_account(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    sign_in_demo(client)
    answer = checkout(
        client, demo.statements[1].statement_id, "3.00", "bb-ach", card(demo, "approved", "ach")
    )
    assert "Checking account ending in 6789" in client.get(answer.headers["location"]).text
    [payment] = healthpay24_admin.ledger(reference="bb-ach")
    assert payment.card_token.startswith("btok_")


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("declined", "Payment declined by your card issuer."),
        ("insufficient_funds", "Insufficient funds."),
    ],
)
def test_declines_return_to_the_payment_method_with_402(
    client: httpx.Client,
    healthpay24_admin: SandboxAdmin,
    demo: SandboxUser,
    processor: PortalProcess,
    outcome: str,
    message: str,
) -> None:
    sign_in_demo(client)
    statement = demo.statements[0]
    token = card(demo, outcome)
    answer = checkout(client, statement.statement_id, "5.00", f"bb-{outcome}", token)
    assert answer.status_code == 402 and message in answer.text
    assert "Step 2 of 3: Payment method" in answer.text and "Secure payment fields" in answer.text
    assert healthpay24_admin.ledger() == []
    assert (
        healthpay24_admin.statement(statement.statement_id).balance_cents == statement.balance_cents
    )
    charges = httpx.get(f"{processor.base_url}/v1/charges").json()["charges"]
    assert [c["status"] for c in charges if c["token"] == token][-1] == "declined"


def test_amount_and_note_validation(
    client: httpx.Client, demo: SandboxUser, healthpay24_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    statement = demo.statements[0]
    steps = client.get(f"/portal/statements/{statement.statement_id}/pay").headers["location"]
    too_much = f"{statement.balance_cents // 100 + 1}.00"
    for typed, note, error in (
        (too_much, "", "be more than the amount due"),
        ("0", "", "at least USD 0.01"),
        ("abc", "", "Enter a payment amount"),
        ("1.00", "x" * 121, "Payment note can be up to 120 characters"),
    ):
        answer = client.post(
            steps, data={"amount_choice": "other", "other_amount": typed, "payment_note": note}
        )
        assert answer.status_code == 422 and error in answer.text
    method = steps.replace("/amount", "/method")
    client.post(steps, data={"amount_choice": "full", "payment_note": ""})
    refused = client.post(method, data={"payment_token": UNKNOWN_TOKEN})
    assert refused.status_code == 422 and "use that payment method" in refused.text
    assert healthpay24_admin.ledger() == []


def test_crash_after_submit_records_the_payment_and_drops_the_connection(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    sign_in_demo(client)
    healthpay24_admin.set_faults(crash_after_submit=1)
    with pytest.raises(httpx.RemoteProtocolError):
        checkout(
            client, demo.statements[0].statement_id, "5.00", "bb-crash", card(demo, "approved")
        )
    [payment] = healthpay24_admin.ledger(reference="bb-crash")
    assert payment.amount_cents == 500
    assert healthpay24_admin.faults().crash_after_submit == 0


def test_failing_step_answers_500_then_recovers(
    client: httpx.Client, healthpay24_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    healthpay24_admin.set_faults(fail_step="accounts", fail_times=2)
    assert [client.get(HOME).status_code for _ in range(3)] == [500, 500, 200]
    refused = client.post("/__sandbox__/faults", json={"fail_step": "statements"})
    assert refused.status_code == 422  # Cedar's step name, not HealthPay24's


def test_statement_and_receipt_pdfs(client: httpx.Client, demo: SandboxUser) -> None:
    sign_in_demo(client)
    statement = demo.statements[1]
    document = client.get(f"/portal/statements/{statement.statement_id}/pdf")
    assert document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"].startswith("attachment;")
    text = pdf_text(document.content)
    for expected in (statement.statement_id, statement.account_number, "Amount due"):
        assert expected in text
    location = checkout(
        client, statement.statement_id, "12.34", "bb-receipt", card(demo, "approved")
    ).headers["location"]
    receipt = client.get(f"{location}/pdf")
    text = pdf_text(receipt.content)
    for expected in (
        location.rsplit("/", 1)[1],
        "USD 12.34",
        statement.statement_id,
        "4242",
        "bb-receipt",
    ):
        assert expected in text


def test_other_logins_records_are_not_found(
    client: httpx.Client, healthpay24_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    someone_else = healthpay24_admin.user(SMS_USERNAME).statements[0]
    paths = (
        f"/portal/statements/{someone_else.statement_id}",
        "/portal/statements/INV-1",
        f"/portal/accounts/{someone_else.account_number}",
        "/portal/receipts/HP24-NOPE",
    )
    for path in paths:
        assert client.get(path).status_code == 404


def test_expired_sessions_redirect_to_sign_in(
    client: httpx.Client, healthpay24_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    healthpay24_admin.expire_sessions()
    answer = client.get(HOME, follow_redirects=True)
    assert answer.url.path == "/signin" and answer.url.params["reason"] == "inactivity"
    assert "signed out after a period of inactivity" in answer.text


def test_reset_restores_the_seed(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    before = healthpay24_admin.users()
    sign_in_demo(client)
    checkout(client, demo.statements[0].statement_id, "1.00", "bb-reset", card(demo, "approved"))
    healthpay24_admin.reset()
    assert healthpay24_admin.users() == before and healthpay24_admin.ledger() == []
    assert healthpay24_admin.logins().successful == 0


def test_idle_session_and_old_codes_expire(tmp_path: Path, processor: PortalProcess) -> None:
    """Codes live a minute and sessions idle out after two here; the portal's clock, not a
    sleep, moves past each."""
    extra = [
        "--processor-url",
        processor.base_url,
        "--session-idle-seconds",
        "120",
        "--code-seconds",
        "60",
    ]
    with (
        PortalProcess("healthpay24", tmp_path / "idle.sqlite3", extra_args=extra) as portal,
        httpx.Client(base_url=portal.base_url) as client,
        SandboxAdmin(portal.base_url) as admin,
    ):
        client.post("/signin", data={"user_id": SMS_USERNAME, "password": SMS_PASSWORD})
        admin.advance_clock(61)
        late = client.post(
            "/signin/verify", data={"security_code": admin.latest_code(SMS_USERNAME)}
        )
        assert "This security code has expired" in late.text
        client.post("/signin/verify/resend")
        fresh = client.post(
            "/signin/verify", data={"security_code": admin.latest_code(SMS_USERNAME)}
        )
        assert fresh.headers["location"] == HOME
        admin.advance_clock(121)
        assert client.get(HOME).headers["location"] == "/signin?reason=inactivity"


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
