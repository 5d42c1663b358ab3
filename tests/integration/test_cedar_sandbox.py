"""The Cedar sandbox over plain HTTP: what any client of the simulated portal can rely on."""

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
from sandbox.cedar.seed import (
    DEMO_BANK_TOKEN,
    DEMO_CARD_TOKEN,
    DEMO_DECLINED_CARD_TOKEN,
    DEMO_INSUFFICIENT_CARD_TOKEN,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERNAME,
    UNKNOWN_CARD_TOKEN,
)
from sandbox.launcher import PortalProcess

CONFIRMATION = re.compile(r"CDR-[A-Z0-9]{8}")


@pytest.fixture
def client(cedar_portal: PortalProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cedar_portal.base_url, timeout=10.0) as http:
        yield http


def sign_in(client: httpx.Client, username: str, password: str, secret: str) -> httpx.Response:
    client.post("/login", data={"username": username, "password": password})
    return client.post("/mfa", data={"code": Totp(secret).now()}, follow_redirects=True)


def sign_in_demo(client: httpx.Client) -> None:
    landed = sign_in(client, DEMO_USERNAME, DEMO_PASSWORD, DEMO_TOTP_SECRET)
    assert landed.url.path == "/statements"


def regular_user(admin: SandboxAdmin) -> SandboxUser:
    return next(user for user in admin.users() if not user.magic)


def pay(client: httpx.Client, statement_id: str, amount: str, reference: str) -> httpx.Response:
    return client.post(
        f"/statements/{statement_id}/pay",
        data={"amount_option": "other", "amount": amount,
              "payment_method": DEMO_CARD_TOKEN, "reference": reference},
    )  # fmt: skip


def test_health_names_the_vendor(cedar_admin: SandboxAdmin) -> None:
    assert cedar_admin.health() == {"status": "ok", "vendor": "cedar"}


def test_password_then_totp_signs_in_and_is_counted(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    user = regular_user(cedar_admin)
    first = client.post("/login", data={"username": user.username, "password": user.password})
    assert first.status_code == 303 and first.headers["location"] == "/mfa"
    wrong = client.post("/mfa", data={"code": "000000"})
    assert "That code is incorrect" in wrong.text
    landed = client.post("/mfa", data={"code": Totp(user.totp_secret).now()}, follow_redirects=True)
    assert landed.url.path == "/statements"
    assert "Your statements" in landed.text
    counts = cedar_admin.logins()
    assert (counts.successful, counts.failed_mfa) == (1, 1)
    assert counts.by_user[user.username]["successful"] == 1


def test_regular_user_locks_after_five_wrong_passwords(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    user = regular_user(cedar_admin)
    answers = [
        client.post("/login", data={"username": user.username, "password": "nope"}).text
        for _ in range(5)
    ]
    assert all("Invalid username or password" in text for text in answers[:4])
    assert "Your account is locked" in answers[4]
    right = client.post("/login", data={"username": user.username, "password": user.password})
    assert right.status_code == 200 and "Your account is locked" in right.text
    assert cedar_admin.logins().failed_password == 5


def test_magic_users(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    for _ in range(6):
        client.post("/login", data={"username": DEMO_USERNAME, "password": "bad"})
    sign_in_demo(client)  # the demo user never locks
    wrong = client.post("/login", data={"username": "wrong.password", "password": "x"})
    assert "Invalid username or password" in wrong.text
    locked = client.post("/login", data={"username": "locked.patient", "password": "x"})
    assert "Your account is locked" in locked.text
    demo = cedar_admin.user(DEMO_USERNAME)
    assert len(demo.statements) == 4 and all(s.balance_cents > 0 for s in demo.statements)
    assert [(card.token, card.kind, card.outcome) for card in demo.cards] == [
        (DEMO_CARD_TOKEN, "card", "approved"), (DEMO_BANK_TOKEN, "ach", "approved"),
        (DEMO_DECLINED_CARD_TOKEN, "card", "declined"),
        (DEMO_INSUFFICIENT_CARD_TOKEN, "card", "insufficient_funds"),
    ]  # fmt: skip


def test_statements_are_paginated_three_per_page(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    first, second = client.get("/statements"), client.get("/statements?page=2")
    ids = [s.statement_id for s in cedar_admin.user(DEMO_USERNAME).statements]
    assert all(sid in first.text for sid in ids[:3]) and ids[3] not in first.text
    assert ids[3] in second.text
    assert ">Next<" in first.text and ">Previous<" not in first.text
    assert ">Previous<" in second.text and ">Next<" not in second.text


def test_other_patients_statement_is_not_found(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    someone_else = regular_user(cedar_admin).statements[0].statement_id
    for statement_id in (someone_else, "ST-999999"):
        answer = client.get(f"/statements/{statement_id}")
        assert answer.status_code == 404 and "Statement not found" in answer.text


def test_payment_moves_money_once_and_shows_in_history(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    statement = cedar_admin.user(DEMO_USERNAME).statements[0]
    answer = pay(client, statement.statement_id, "10.05", "ref-http-1")
    assert answer.status_code == 303
    confirmation = CONFIRMATION.search(answer.headers["location"])
    assert confirmation is not None
    page = client.get(answer.headers["location"])
    assert "Payment confirmed" in page.text and "$10.05" in page.text
    [payment] = cedar_admin.ledger(reference="ref-http-1")
    assert (payment.amount_cents, payment.confirmation_number) == (1005, confirmation.group())
    after = cedar_admin.statement(statement.statement_id)
    assert after.balance_cents == statement.balance_cents - 1005
    history = client.get("/payments", params={"reference": "ref-http-1"})
    assert confirmation.group() in history.text
    assert "No payments found" in client.get("/payments?reference=ref-http").text


def test_pay_form_validation(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    sign_in_demo(client)
    statement = cedar_admin.user(DEMO_USERNAME).statements[0]
    too_much = f"{(statement.balance_cents + 1) / 100:.2f}"
    assert (
        "Amount cannot exceed the balance due"
        in pay(client, statement.statement_id, too_much, "r").text
    )
    assert "greater than $0.00" in pay(client, statement.statement_id, "0", "r").text
    unknown = client.post(
        f"/statements/{statement.statement_id}/pay",
        data={"amount_option": "full", "payment_method": UNKNOWN_CARD_TOKEN},
    )
    assert "not on file" in unknown.text
    assert cedar_admin.ledger() == []


def test_failing_step_answers_500_then_recovers(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    cedar_admin.set_faults(fail_step="statements", fail_times=2)
    assert [client.get("/statements").status_code for _ in range(3)] == [500, 500, 200]
    assert cedar_admin.faults().fail_step is None


def test_crash_after_submit_moves_money_but_drops_the_connection(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    statement = cedar_admin.user(DEMO_USERNAME).statements[0]
    cedar_admin.set_faults(crash_after_submit=1)
    with pytest.raises(httpx.RemoteProtocolError):
        pay(client, statement.statement_id, "5.00", "ref-crash")
    [payment] = cedar_admin.ledger(reference="ref-crash")
    assert payment.amount_cents == 500
    assert cedar_admin.faults().crash_after_submit == 0


def test_receipt_is_a_pdf_with_the_payment(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    sign_in_demo(client)
    statement = cedar_admin.user(DEMO_USERNAME).statements[1]
    location = pay(client, statement.statement_id, "12.34", "ref-receipt").headers["location"]
    receipt = client.get(f"{location}/receipt.pdf")
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.headers["content-disposition"].startswith("attachment;")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    confirmation = location.rsplit("/", 1)[1]
    for expected in (confirmation, "$12.34", statement.statement_id, "4242", "ref-receipt"):
        assert expected in text


def test_expired_session_redirects_to_login(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    sign_in_demo(client)
    cedar_admin.expire_sessions()
    answer = client.get("/statements", follow_redirects=True)
    assert answer.url.path == "/login" and answer.url.params["expired"] == "1"
    assert "Your session has expired. Please sign in again." in answer.text


def test_reset_restores_the_seed(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    before = cedar_admin.users()
    sign_in_demo(client)
    pay(client, before[0].statements[0].statement_id, "1.00", "ref-reset")
    cedar_admin.set_faults(latency_ms=5)
    cedar_admin.reset()
    assert cedar_admin.users() == before
    assert cedar_admin.ledger() == [] and cedar_admin.faults().latency_ms == 0
    assert cedar_admin.logins().successful == 0


def test_five_wrong_codes_send_the_patient_back_to_sign_in(client: httpx.Client) -> None:
    client.post("/login", data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    answers = [client.post("/mfa", data={"code": "000000"}).text for _ in range(5)]
    assert all("That code is incorrect" in text for text in answers[:4])
    assert "Sign in to pay your bill" in answers[4]
    assert client.get("/mfa").headers["location"] == "/login"


def test_idle_session_expires(tmp_path: Path) -> None:
    """Sessions idle out after two minutes here; the portal's clock, not a sleep, moves past."""
    idle = ["--session-idle-seconds", "120"]
    with (
        PortalProcess("cedar", tmp_path / "idle.sqlite3", extra_args=idle) as portal,
        httpx.Client(base_url=portal.base_url) as client,
        SandboxAdmin(portal.base_url) as admin,
    ):
        sign_in_demo(client)
        assert client.get("/statements").status_code == 200
        admin.advance_clock(121)
        answer = client.get("/statements")
        assert answer.headers["location"] == "/login?expired=1"
