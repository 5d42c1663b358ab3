"""The Cedar sandbox's texted codes, remembered devices and password changes, over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin
from sandbox.cedar.seed import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERNAME,
    EMAIL_ADDRESS,
    EMAIL_PASSWORD,
    EMAIL_USERNAME,
    SMS_CARD_TOKEN,
    SMS_PASSWORD,
    SMS_PHONE,
    SMS_USERNAME,
)
from sandbox.launcher import PortalProcess

SENT_TO = "We sent a code to ***-***-0112"


@pytest.fixture
def client(cedar_portal: PortalProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cedar_portal.base_url, timeout=10.0) as http:
        yield http


def password_step(client: httpx.Client, username: str = SMS_USERNAME) -> httpx.Response:
    passwords = {SMS_USERNAME: SMS_PASSWORD, EMAIL_USERNAME: EMAIL_PASSWORD}
    password = passwords.get(username, DEMO_PASSWORD)
    return client.post("/login", data={"username": username, "password": password})


def enter(client: httpx.Client, code: str, *, remember: bool = False) -> httpx.Response:
    data = {"code": code, **({"remember": "yes"} if remember else {})}
    return client.post("/mfa", data=data)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_sms_patient_is_seeded_like_the_demo(cedar_admin: SandboxAdmin) -> None:
    sms = cedar_admin.user(SMS_USERNAME)
    assert (sms.mfa_method, sms.phone, sms.magic_kind) == ("sms", SMS_PHONE, "sms")
    assert [card.token for card in sms.cards] == [SMS_CARD_TOKEN]
    assert sms.statements and all(s.balance_cents > 0 for s in sms.statements)
    others = [u for u in cedar_admin.users() if u.username not in (SMS_USERNAME, EMAIL_USERNAME)]
    assert all(user.mfa_method == "totp" and user.phone is None for user in others)


def test_password_texts_a_code_that_signs_in(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    assert password_step(client).headers["location"] == "/mfa"
    screen = client.get("/mfa").text
    for text in (SENT_TO, "Verification code", "Verify", "Remember this device", "Send a new code"):
        assert text in screen
    [message] = cedar_admin.outbox(SMS_USERNAME)
    assert (message.channel, message.destination) == ("sms", SMS_PHONE)
    assert message.masked_destination == "***-***-0112" and re.fullmatch(r"\d{6}", message.code)
    sent_at = datetime.fromisoformat(message.sent_at)
    assert (datetime.fromisoformat(message.expires_at) - sent_at).total_seconds() == 600
    assert cedar_admin.logins().successful == 0
    answer = enter(client, message.code)
    assert answer.headers["location"] == "/statements"
    assert client.get("/statements").status_code == 200
    counts = cedar_admin.logins()
    assert (counts.successful, counts.mfa_codes_sent) == (1, 1)
    assert counts.by_user[SMS_USERNAME]["mfa_codes_sent"] == 1


def test_email_patient_gets_the_code_by_email(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    assert cedar_admin.user(EMAIL_USERNAME).email == EMAIL_ADDRESS
    assert password_step(client, EMAIL_USERNAME).headers["location"] == "/mfa"
    screen = client.get("/mfa").text
    assert "We emailed a code to e***@example.com" in screen and "Send a new code" in screen
    [message] = cedar_admin.outbox(EMAIL_USERNAME)
    assert (message.channel, message.destination) == ("email", EMAIL_ADDRESS)
    assert "That code is incorrect. Check the email" in enter(client, wrong(message.code)).text
    client.post("/mfa/resend")
    assert len(cedar_admin.outbox(EMAIL_USERNAME)) == 2
    assert enter(client, cedar_admin.latest_code(EMAIL_USERNAME)).headers["location"] == (
        "/statements"
    )


def test_wrong_code_then_right(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    password_step(client)
    code = cedar_admin.latest_code(SMS_USERNAME)
    refused = enter(client, wrong(code))
    assert refused.status_code == 200 and "That code is incorrect" in refused.text
    assert SENT_TO in refused.text
    assert enter(client, code).headers["location"] == "/statements"
    assert cedar_admin.logins().failed_mfa == 1


def test_new_code_replaces_the_old_one(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    password_step(client)
    old = cedar_admin.latest_code(SMS_USERNAME)
    resent = client.post("/mfa/resend", follow_redirects=True)
    assert resent.url.path == "/mfa" and "A new code is on its way" in resent.text
    messages = cedar_admin.outbox(SMS_USERNAME)
    assert len(messages) == 2 and messages[1].code == old  # newest first
    new = messages[0].code
    if new != old:  # one time in a million they are the same
        assert "That code is incorrect" in enter(client, old).text
    assert enter(client, new).headers["location"] == "/statements"
    assert cedar_admin.logins().mfa_codes_sent == 2


def test_five_wrong_codes_start_over(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    password_step(client)
    code = cedar_admin.latest_code(SMS_USERNAME)
    answers = [enter(client, wrong(code)).text for _ in range(5)]
    assert all("That code is incorrect" in text for text in answers[:4])
    assert "Too many incorrect codes" in answers[4] and "Sign in to pay your bill" in answers[4]
    assert client.get("/mfa").headers["location"] == "/login"


def test_expired_code_asks_for_a_new_one(tmp_path: Path) -> None:
    """Codes live a minute here; the portal's clock, not a sleep, moves past it."""
    a_minute = ["--code-seconds", "60"]
    with (
        PortalProcess("cedar", tmp_path / "short.sqlite3", extra_args=a_minute) as portal,
        SandboxAdmin(portal.base_url) as admin,
        httpx.Client(base_url=portal.base_url) as client,
    ):
        password_step(client)
        code = admin.latest_code(SMS_USERNAME)
        admin.advance_clock(61)
        answer = enter(client, code)
        assert "That code has expired. Send a new code." in answer.text
        client.post("/mfa/resend")
        assert enter(client, admin.latest_code(SMS_USERNAME)).headers["location"] == "/statements"


def test_pending_sign_in_moves_with_its_cookies(
    client: httpx.Client, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> None:
    cookies = password_step(client).headers.get_list("set-cookie")
    preauth = next(cookie for cookie in cookies if cookie.startswith("cedar_preauth="))
    lifetime = re.search(r"Max-Age=(\d+)", preauth)
    assert lifetime is not None and int(lifetime[1]) >= 15 * 60
    with httpx.Client(base_url=cedar_portal.base_url, cookies=client.cookies) as elsewhere:
        answer = enter(elsewhere, cedar_admin.latest_code(SMS_USERNAME))
        assert answer.headers["location"] == "/statements"


def test_remembered_device_skips_the_code(
    client: httpx.Client, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> None:
    password_step(client)
    enter(client, cedar_admin.latest_code(SMS_USERNAME), remember=True)
    assert client.cookies.get("cedar_device")
    client.get("/logout")
    assert password_step(client).headers["location"] == "/statements"
    counts = cedar_admin.logins()
    assert (counts.successful, counts.mfa_codes_sent) == (2, 1)
    # The device is remembered for that patient only, and only in that browser.
    assert password_step(client, DEMO_USERNAME).headers["location"] == "/mfa"
    with httpx.Client(base_url=cedar_portal.base_url) as other_browser:
        assert password_step(other_browser).headers["location"] == "/mfa"


def test_remembered_device_works_for_totp_too(client: httpx.Client) -> None:
    password_step(client, DEMO_USERNAME)
    enter(client, Totp(DEMO_TOTP_SECRET).now(), remember=True)
    client.get("/logout")
    assert password_step(client, DEMO_USERNAME).headers["location"] == "/statements"


def test_without_remember_the_code_is_asked_again(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    password_step(client)
    enter(client, cedar_admin.latest_code(SMS_USERNAME))
    assert "cedar_device" not in client.cookies
    assert password_step(client).headers["location"] == "/mfa"


def test_outbox_filters_clears_and_resets(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    password_step(client)
    password_step(client, DEMO_USERNAME)  # TOTP: nothing texted
    assert [m.username for m in cedar_admin.outbox()] == [SMS_USERNAME]
    assert cedar_admin.outbox(DEMO_USERNAME) == []
    with pytest.raises(LookupError):
        cedar_admin.latest_code(DEMO_USERNAME)
    assert cedar_admin.clear_outbox() == 1 and cedar_admin.outbox() == []
    password_step(client)
    enter(client, cedar_admin.latest_code(SMS_USERNAME), remember=True)
    cedar_admin.reset()
    assert cedar_admin.outbox() == []
    assert password_step(client).headers["location"] == "/mfa"  # devices forgotten too


def test_password_changed_elsewhere(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    cedar_admin.set_password(DEMO_USERNAME, "brand-new-password")
    assert "Invalid username or password" in password_step(client, DEMO_USERNAME).text
    changed = client.post(
        "/login", data={"username": DEMO_USERNAME, "password": "brand-new-password"}
    )
    assert changed.headers["location"] == "/mfa"
    assert cedar_admin.user(DEMO_USERNAME).password == "brand-new-password"
    with pytest.raises(httpx.HTTPStatusError) as unknown:
        cedar_admin.set_password("nobody", "x")
    assert unknown.value.response.status_code == 404
