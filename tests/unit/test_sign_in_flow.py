"""The shared sign-in-with-a-code flow over fake screens: its typed outcomes without a browser.

The real screens of each vendor are exercised in tests/integration (one file per adapter);
this pins down what the flow decides from what the screens say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyotp
import pytest
from pydantic import SecretStr

from models.connections import Credentials
from models.errors import BadCredentials, MfaCodeExpired, MfaRejected, PortalChanged
from models.sessions import MfaMethod
from portals.one_time_codes import current_code
from portals.sign_in_flow import SignInFlow

SECRET = pyotp.random_base32()


@dataclass
class FakeBrowser:
    """Where the fake portal's browser is: "password", "code", "landed" or "elsewhere"."""

    at: str = "blank"
    delivery: str = "app"  # "app" (TOTP) or "text"
    password_ok: bool = True
    accepted_code: str = "123456"
    alert_after_code: str = "That code is incorrect."
    entered: list[tuple[str, bool]] = field(default_factory=list)
    resent: int = 0


class FakePasswordPage:
    def __init__(self, browser: FakeBrowser) -> None:
        self.browser = browser

    async def sign_in(self, username: str, password: str) -> None:
        self.browser.at = "code" if self.browser.password_ok else "password"

    async def alert_text(self) -> str | None:
        return None if self.browser.password_ok else "Invalid username or password."


class FakeCodePage:
    def __init__(self, browser: FakeBrowser) -> None:
        self.browser = browser
        self.alert: str | None = None

    async def is_shown(self) -> bool:
        return self.browser.at == "code"

    async def enter_code(self, code: str, *, remember_device: bool) -> None:
        self.browser.entered.append((code, remember_device))
        wanted = current_code(SECRET) if self.browser.delivery == "app" else None
        if code in (wanted, self.browser.accepted_code):
            self.browser.at = "landed"
        else:
            self.alert = self.browser.alert_after_code

    async def request_new_code(self) -> None:
        self.browser.resent += 1

    async def sent_notice_text(self) -> str | None:
        return "We sent a code to ***-0112." if self.browser.delivery == "text" else None

    async def authenticator_hint_text(self) -> str | None:
        return (
            "Enter the code from your authenticator app."
            if self.browser.delivery == "app"
            else None
        )

    async def alert_text(self) -> str | None:
        return self.alert


class FakeScreens:
    portal_name = "Fake"
    wrong_code_alert = "incorrect"

    def __init__(self, browser: FakeBrowser) -> None:
        self.browser = browser
        self.code_page = FakeCodePage(browser)

    async def open_password_page(self) -> FakePasswordPage:
        self.browser.at = "password"
        return FakePasswordPage(self.browser)

    async def signed_in_here(self, step: str) -> bool:
        return self.browser.at == "landed"

    async def at_code_page(self) -> bool:
        return self.browser.at == "code"

    async def open_code_page(self) -> None:
        """The fake portal keeps a pending sign-in only while the browser is on its code page."""

    def password_refusal(self, alert: str | None) -> Exception:
        return BadCredentials("refused") if alert else PortalChanged("no code page")

    def code_notice(self, text: str) -> tuple[MfaMethod, str, str]:
        return MfaMethod.SMS, "***-0112", text

    async def code_not_taken(self) -> Exception:
        return MfaRejected("restarted")

    async def is_signed_in(self) -> bool:
        return self.browser.at == "landed"


def _credentials(*, totp: bool) -> Credentials:
    return Credentials(
        username="someone",
        password=SecretStr("pw"),
        totp_secret=SecretStr(SECRET) if totp else None,
    )


def _flow(**browser: object) -> tuple[SignInFlow, FakeBrowser]:
    state = FakeBrowser(**browser)  # type: ignore[arg-type]
    return SignInFlow(FakeScreens(state)), state


async def test_a_totp_challenge_is_answered_from_the_secret() -> None:
    flow, browser = _flow(delivery="app")

    assert await flow.start_login(_credentials(totp=True)) is None

    assert browser.at == "landed"
    assert browser.entered == [(current_code(SECRET), True)]


async def test_login_does_not_ask_to_remember_the_device() -> None:
    flow, browser = _flow(delivery="app")

    await flow.login(_credentials(totp=True))

    assert [remember for _, remember in browser.entered] == [False]


async def test_a_texted_code_stops_at_the_challenge_with_nothing_entered() -> None:
    flow, browser = _flow(delivery="text")

    challenge = await flow.start_login(_credentials(totp=True))

    assert challenge is not None and challenge.method is MfaMethod.SMS
    assert challenge.masked_destination == "***-0112"
    assert browser.entered == []
    with pytest.raises(MfaRejected):
        await _flow(delivery="text")[0].login(_credentials(totp=True))


async def test_a_refused_password_is_the_vendors_refusal() -> None:
    flow, _ = _flow(password_ok=False)

    with pytest.raises(BadCredentials):
        await flow.start_login(_credentials(totp=True))


async def test_submitted_codes_right_wrong_unreadable_and_expired() -> None:
    flow, browser = _flow(delivery="text")
    await flow.start_login(_credentials(totp=False))

    assert await flow.submit_mfa_code("12-34") is False  # not six digits: nothing entered
    assert browser.entered == []
    assert await flow.submit_mfa_code("000 000") is False  # the portal says incorrect
    assert await flow.submit_mfa_code("123 456") is True
    assert browser.entered == [("000000", True), ("123456", True)]

    expired, state = _flow(delivery="text", alert_after_code="This code has expired.")
    await expired.start_login(_credentials(totp=False))
    with pytest.raises(MfaCodeExpired):
        await expired.submit_mfa_code("999999")
    assert state.at == "code"


async def test_resend_asks_for_a_text_but_not_for_an_authenticator_code() -> None:
    texted, by_text = _flow(delivery="text")
    await texted.start_login(_credentials(totp=False))
    app, by_app = _flow(delivery="app")
    await app.start_login(_credentials(totp=False))

    assert (await texted.resend_mfa_code()).method is MfaMethod.SMS
    assert (await app.resend_mfa_code()).method is MfaMethod.TOTP
    assert (by_text.resent, by_app.resent) == (1, 0)


async def test_no_pending_sign_in_is_mfa_rejected() -> None:
    flow, _ = _flow(delivery="text")

    with pytest.raises(MfaRejected):
        await flow.submit_mfa_code("123456")
    with pytest.raises(MfaRejected):
        await flow.resend_mfa_code()
