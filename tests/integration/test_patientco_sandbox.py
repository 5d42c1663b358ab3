"""The Patientco sandbox over plain HTTP: Patientco ID's OpenID Connect sign-in, the admin
API contract, posting payments, declines, a crash after submit and settlement exports."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator

import httpx
import pytest

from sandbox.admin_client import SandboxAdmin
from sandbox.launcher import PortalProcess
from sandbox.patientco.seed import (
    DEMO_USERNAME,
    EMAIL_PASSWORD,
    EMAIL_USERNAME,
    LOCKED_USERNAME,
    WRONG_PASSWORD_USERNAME,
)
from tests.integration.patientco_http import (
    enter_code,
    idp_origin,
    post_payment,
    refund,
    sign_in_demo,
    start_sign_in,
    void,
)

TRANSACTION = re.compile(r"/transactions/(PCO-[A-Z0-9]{10})")


@pytest.fixture
def client(patientco_portal: PortalProcess, fresh_patientco: None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=patientco_portal.base_url, timeout=10.0) as http:
        yield http


@pytest.fixture
def signed_in(client: httpx.Client) -> httpx.Client:
    sign_in_demo(client)
    return client


def demo_account(admin: SandboxAdmin) -> str:
    return admin.accounts(DEMO_USERNAME)[0].account_id


def test_health_waits_for_the_identity_provider_and_names_it(
    patientco_admin: SandboxAdmin,
) -> None:
    health = patientco_admin.health()
    assert (health["status"], health["vendor"]) == ("ok", "patientco")
    discovery = httpx.get(f"{health['idp_url']}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == health["idp_url"]
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    [key] = httpx.get(discovery["jwks_uri"]).json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # the public half only


def test_totp_sign_in_follows_the_oidc_redirects(
    client: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    landed = sign_in_demo(client)
    hops = [str(r.url) for r in landed.history]
    assert any("/authorize?" in hop and "code_challenge=" in hop for hop in hops)
    assert any("/sso/callback?code=" in hop for hop in hops)
    assert "Guarantor accounts" in landed.text and DEMO_USERNAME in landed.text
    counts = patientco_admin.logins()
    assert counts.by_user[DEMO_USERNAME]["successful"] == 1


def test_email_code_wrong_then_resent_then_accepted(
    client: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    verify = start_sign_in(client, EMAIL_USERNAME, EMAIL_PASSWORD)
    assert "We sent a 6-digit code to e***@riversidehealth.example." in verify.text
    first = patientco_admin.latest_code(EMAIL_USERNAME)
    wrong = enter_code(client, verify, "000000" if first != "000000" else "111111")
    assert "That code didn't work" in shown(wrong)
    resent = client.post(f"{idp_origin(verify)}/signin/verify/resend", follow_redirects=True)
    assert "We sent you a new code" in resent.text
    second = patientco_admin.latest_code(EMAIL_USERNAME)
    [newest, older] = patientco_admin.outbox(EMAIL_USERNAME)[:2]
    assert (newest.channel, newest.code, older.code) == ("email", second, first)
    landed = enter_code(client, verify, second)
    assert landed.url.path == "/accounts"
    counts = patientco_admin.logins().by_user[EMAIL_USERNAME]
    assert (counts["mfa_codes_sent"], counts["failed_mfa"], counts["successful"]) == (2, 1, 1)


def test_five_wrong_codes_go_back_to_the_sign_in(client: httpx.Client) -> None:
    verify = start_sign_in(client, EMAIL_USERNAME, EMAIL_PASSWORD)
    answers = [shown(enter_code(client, verify, f"99999{n}")) for n in range(5)]
    assert all("That code didn't work" in text for text in answers[:4])
    assert "Too many incorrect codes. Sign in again." in answers[4]
    assert "Sign in to your organization" in answers[4]


def test_wrong_password_locked_and_lockout(
    client: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    wrong = start_sign_in(client, WRONG_PASSWORD_USERNAME, "anything")
    assert "We couldn't sign you in" in shown(wrong)
    locked = start_sign_in(client, LOCKED_USERNAME, "locked-password")
    assert "This account is locked" in locked.text
    regular = next(u for u in patientco_admin.users() if not u.magic)
    answers = [shown(start_sign_in(client, regular.username, "nope")) for _ in range(5)]
    assert all("We couldn't sign you in" in text for text in answers[:4])
    assert "This account is locked" in answers[4]
    assert patientco_admin.user(regular.username).locked


def test_idle_session_redirects_to_the_console_login(
    signed_in: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    patientco_admin.expire_sessions()
    answer = signed_in.get("/accounts")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?expired=1"
    page = signed_in.get("/login?expired=1")
    assert "Your session timed out" in page.text


def test_a_forged_callback_opens_no_session(client: httpx.Client) -> None:
    refused = client.get("/sso/callback", params={"code": "made-up", "state": "made-up"})
    assert refused.status_code == 400 and "Sign-in failed" in refused.text
    assert client.get("/accounts").headers["location"] == "/login"


def test_admin_contract_for_a_staff_login(patientco_admin: SandboxAdmin) -> None:
    demo = patientco_admin.user(DEMO_USERNAME)
    assert demo.mfa_method == "totp" and demo.totp_secret and demo.magic
    assert patientco_admin.user(EMAIL_USERNAME).mfa_method == "email"
    assert [(c.kind, c.outcome, c.last4) for c in demo.cards] == [
        ("card", "approved", "4242"), ("ach", "approved", "6789"),
        ("card", "declined", "0002"), ("card", "insufficient_funds", "9995"),
    ]  # fmt: skip
    accounts = patientco_admin.accounts(DEMO_USERNAME)
    assert len(accounts) == 9 and all(a.mrn and a.birth_date for a in accounts)
    assert sum(a.balance_cents for a in accounts) == sum(s.balance_cents for s in demo.statements)
    first = patientco_admin.statement(demo.statements[0].statement_id)
    assert first.payment_methods[0].token == demo.cards[0].token
    assert sum(item["patient_cents"] for item in first.line_items) == first.total_cents
    demo_statements = [s for s in demo.statements
                       if patientco_admin.statement(s.statement_id).account_number
                       == accounts[0].account_id]  # fmt: skip
    assert len(demo_statements) == 4 and all(s.balance_cents >= 1000 for s in demo_statements)
    for text in (str(patientco_admin.users()), str(accounts)):
        assert not re.search(r"\d{13,}", text)


def test_card_and_ach_payments_post_and_declines_do_not(
    signed_in: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    account, cards = demo_account(patientco_admin), patientco_admin.user(DEMO_USERNAME).cards
    statement = patientco_admin.user(DEMO_USERNAME).statements[0]
    paid = post_payment(signed_in, account, token=cards[0].token, amount="12.34",
                        reference="bb-card", statement_id=statement.statement_id)  # fmt: skip
    assert paid.status_code == 303
    ach = post_payment(signed_in, account, token=cards[1].token, amount="5.00", reference="bb-ach")
    assert ach.status_code == 303
    declined = post_payment(signed_in, account, token=cards[2].token, amount="1.00",
                            reference="bb-declined")  # fmt: skip
    assert declined.status_code == 402
    assert "Declined by processor: card_declined" in declined.text
    short = post_payment(signed_in, account, token=cards[3].token, amount="1.00",
                         reference="bb-short")  # fmt: skip
    assert "Declined by processor: insufficient_funds" in short.text
    ledger = {p.reference: p for p in patientco_admin.ledger()}
    assert set(ledger) == {"bb-card", "bb-ach"}
    assert ledger["bb-card"].statement_id == statement.statement_id
    assert patientco_admin.statement(statement.statement_id).balance_cents == (
        statement.balance_cents - 1234
    )
    page = signed_in.get(paid.headers["location"])
    assert "Payment posted" in page.text and "Visa x4242" in page.text


def test_crash_after_submit_records_the_payment_then_drops_the_connection(
    signed_in: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    account, card = demo_account(patientco_admin), patientco_admin.user(DEMO_USERNAME).cards[0]
    patientco_admin.set_faults(crash_after_submit=1)
    with pytest.raises(httpx.RemoteProtocolError):
        post_payment(signed_in, account, token=card.token, amount="3.00", reference="bb-crash")
    [recorded] = patientco_admin.ledger(reference="bb-crash")
    assert recorded.amount_cents == 300
    found = signed_in.get("/transactions", params={"reference": "bb-crash"})
    assert recorded.confirmation_number in found.text


def test_void_refund_and_settlement_exports_agree_with_the_ground_truth(
    signed_in: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    account, card = demo_account(patientco_admin), patientco_admin.user(DEMO_USERNAME).cards[0]
    first = _posted(post_payment(signed_in, account, token=card.token, amount="20.00",
                                 reference="bb-settle-1"))  # fmt: skip
    voided = _posted(post_payment(signed_in, account, token=card.token, amount="7.00",
                                  reference="bb-void"))  # fmt: skip
    assert void(signed_in, voided).status_code == 303
    too_early = refund(signed_in, first, "1.00", "PTR")
    assert too_early.status_code == 422 and "not settled yet" in too_early.text
    settled = patientco_admin.close_settlement_batch()
    assert settled is not None
    assert refund(signed_in, first, "25.00", "PTR").status_code == 422  # more than was paid
    assert refund(signed_in, first, "4.50", "OVP").status_code == 303
    assert patientco_admin.close_settlement_batch() not in (None, settled)

    truth = {b["batch_id"]: b for b in patientco_admin.settlement_batches()}
    assert truth[settled]["net_cents"] == 2000  # the voided payment never settles
    listing = signed_in.get("/settlements").text
    for batch_id, batch in truth.items():
        assert batch_id in listing
        export = signed_in.get(f"/settlements/{batch_id}/export.csv")
        assert export.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(export.text)))
        assert ["Batch ID", batch_id] in rows and ["Status", "Settled"] in rows
        moves = [r for r in rows if r and r[0].startswith(("PCO-", "PCR-"))]
        assert [m[0] for m in moves] == [t["transaction_id"] for t in batch["transactions"]]
        net = next(r for r in rows if r and r[0] == "Net deposit")
        assert round(float(net[2]) * 100) == batch["net_cents"]
    refunds = [t for b in truth.values() for t in b["transactions"] if t["type"] == "refund"]
    assert [t["amount_cents"] for t in refunds] == [-450]
    [ledger_row] = patientco_admin.ledger(reference="bb-settle-1")
    assert ledger_row.amount_cents == 2000


def shown(response: httpx.Response) -> str:
    """The page's text as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.text)


def _posted(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:300]
    found = TRANSACTION.search(response.headers["location"])
    assert found is not None
    return found[1]


def test_a_trusted_browser_skips_the_code_next_time(
    client: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    verify = start_sign_in(client, EMAIL_USERNAME, EMAIL_PASSWORD)
    landed = client.post(
        f"{idp_origin(verify)}/signin/verify",
        data={"code": patientco_admin.latest_code(EMAIL_USERNAME), "trust": "yes"},
        follow_redirects=True,
    )
    assert landed.url.path == "/accounts"
    patientco_admin.expire_sessions()  # the console and the SSO session both end
    again = start_sign_in(client, EMAIL_USERNAME, EMAIL_PASSWORD)
    assert again.url.path == "/accounts"
    counts = patientco_admin.logins().by_user[EMAIL_USERNAME]
    assert (counts["mfa_codes_sent"], counts["successful"]) == (1, 2)
