"""A sign-in split at the texted code, as a person-in-the-loop login needs it, in Chromium.

The password step runs in one browser context; its storage state is saved, the context closed,
and the code is entered later in a new context restored from that state. The code comes from
the sandbox's outbox, standing in for the person who reads it on their phone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page
from pydantic import SecretStr

from models.connections import Credentials
from models.errors import BadCredentials, MfaCodeExpired, MfaRejected
from models.sessions import MfaChallenge, MfaMethod
from portals.cedar.adapter import CedarAdapter
from sandbox.admin_client import SandboxAdmin
from sandbox.cedar.seed import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERNAME,
    SMS_PASSWORD,
    SMS_USERNAME,
)
from sandbox.launcher import PortalProcess

SMS = Credentials(username=SMS_USERNAME, password=SecretStr(SMS_PASSWORD))
DEMO = Credentials(
    username=DEMO_USERNAME,
    password=SecretStr(DEMO_PASSWORD),
    totp_secret=SecretStr(DEMO_TOTP_SECRET),
)
TEXTED = MfaChallenge(
    method=MfaMethod.SMS,
    masked_destination="***-***-0112",
    message="We sent a code to ***-***-0112.",
)
SaveState = Callable[[], Awaitable[dict[str, Any]]]


@pytest.fixture
def browser(page: Page) -> Browser:
    """The test run's Chromium, to open more contexts beside the ``page`` fixture's own."""
    found = page.context.browser
    assert found is not None
    return found


@asynccontextmanager
async def browser_at(
    browser: Browser, base_url: str, storage_state: dict[str, Any] | None = None
) -> AsyncIterator[tuple[CedarAdapter, SaveState]]:
    """A new context (restored from ``storage_state`` if given), its adapter, and a way to
    save its state; the context is closed on exit."""
    context = await browser.new_context(storage_state=storage_state)  # type: ignore[arg-type]
    try:
        adapter = CedarAdapter(await context.new_page(), base_url)

        async def save() -> dict[str, Any]:
            return dict(await context.storage_state())

        yield adapter, save
    finally:
        await context.close()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_start_login_stops_at_the_texted_code(
    cedar: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    assert await cedar.start_login(SMS) == TEXTED
    assert len(cedar_admin.outbox(SMS_USERNAME)) == 1
    assert cedar_admin.logins().successful == 0
    assert await cedar.submit_mfa_code(cedar_admin.latest_code(SMS_USERNAME)) is True
    assert cedar_admin.logins().by_user[SMS_USERNAME]["successful"] == 1


async def test_code_entered_in_another_context_restored_from_storage_state(
    browser: Browser, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> None:
    async with browser_at(browser, cedar_portal.base_url) as (first, save):
        assert await first.start_login(SMS) == TEXTED
        pending = await save()
    code = cedar_admin.latest_code(SMS_USERNAME)  # the person reads it off their phone
    async with browser_at(browser, cedar_portal.base_url, pending) as (second, _):
        assert await second.submit_mfa_code(code) is True
        statements = await second.list_statements()
    truth = cedar_admin.user(SMS_USERNAME).statements
    assert [s.statement_id for s in statements] == [s.statement_id for s in truth]


async def test_wrong_code_then_right(cedar: CedarAdapter, cedar_admin: SandboxAdmin) -> None:
    await cedar.start_login(SMS)
    code = cedar_admin.latest_code(SMS_USERNAME)
    assert await cedar.submit_mfa_code(wrong(code)) is False
    assert await cedar.submit_mfa_code(f"{code[:3]} {code[3:]}") is True
    assert cedar_admin.logins().failed_mfa == 1


async def test_malformed_code_is_not_sent_to_the_portal(
    cedar: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    await cedar.start_login(SMS)
    assert await cedar.submit_mfa_code("12ab56") is False
    assert await cedar.submit_mfa_code("1234567") is False
    assert cedar_admin.logins().failed_mfa == 0


async def test_new_code_replaces_the_old_one(
    cedar: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    await cedar.start_login(SMS)
    old = cedar_admin.latest_code(SMS_USERNAME)
    assert await cedar.resend_mfa_code() == TEXTED
    new = cedar_admin.latest_code(SMS_USERNAME)
    assert len(cedar_admin.outbox(SMS_USERNAME)) == 2
    if new != old:  # one time in a million they are the same
        assert await cedar.submit_mfa_code(old) is False
    assert await cedar.submit_mfa_code(new) is True


async def test_five_wrong_codes_are_mfa_rejected(
    cedar: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    await cedar.start_login(SMS)
    bad = wrong(cedar_admin.latest_code(SMS_USERNAME))
    for _ in range(4):
        assert await cedar.submit_mfa_code(bad) is False
    with pytest.raises(MfaRejected):
        await cedar.submit_mfa_code(bad)
    with pytest.raises(MfaRejected):  # nothing is waiting for a code any more
        await cedar.resend_mfa_code()


async def test_no_pending_sign_in_is_mfa_rejected(cedar: CedarAdapter) -> None:
    with pytest.raises(MfaRejected):
        await cedar.submit_mfa_code("123456")


async def test_expired_code_then_a_new_one(browser: Browser, tmp_path: Path) -> None:
    """Codes live a minute here; the portal's clock, not a sleep, moves past it."""
    a_minute = ["--code-seconds", "60"]
    with (
        PortalProcess("cedar", tmp_path / "short.sqlite3", extra_args=a_minute) as portal,
        SandboxAdmin(portal.base_url) as admin,
    ):
        async with browser_at(browser, portal.base_url) as (cedar, _):
            await cedar.start_login(SMS)
            stale = admin.latest_code(SMS_USERNAME)
            admin.advance_clock(61)
            with pytest.raises(MfaCodeExpired):
                await cedar.submit_mfa_code(stale)
            await cedar.resend_mfa_code()
            assert await cedar.submit_mfa_code(admin.latest_code(SMS_USERNAME)) is True


async def test_remembered_device_skips_the_texted_code(
    browser: Browser, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> None:
    async with browser_at(browser, cedar_portal.base_url) as (first, save):
        await first.start_login(SMS)
        assert await first.submit_mfa_code(cedar_admin.latest_code(SMS_USERNAME)) is True
        remembered = await save()
    cedar_admin.expire_sessions()  # only the device cookie is left to help
    async with browser_at(browser, cedar_portal.base_url, remembered) as (later, _):
        assert await later.is_signed_in() is False
        assert await later.start_login(SMS) is None
        assert await later.is_signed_in() is True
    assert len(cedar_admin.outbox(SMS_USERNAME)) == 1
    assert cedar_admin.logins().by_user[SMS_USERNAME]["successful"] == 2


async def test_totp_is_answered_and_the_device_remembered(
    browser: Browser, cedar_portal: PortalProcess
) -> None:
    async with browser_at(browser, cedar_portal.base_url) as (first, save):
        assert await first.start_login(DEMO) is None
        remembered = await save()
    without_secret = DEMO.model_copy(update={"totp_secret": None})
    async with browser_at(browser, cedar_portal.base_url, remembered) as (later, _):
        assert await later.start_login(without_secret) is None
    async with browser_at(browser, cedar_portal.base_url) as (stranger, _):
        challenge = await stranger.start_login(without_secret)
    assert challenge is not None and challenge.method is MfaMethod.TOTP
    assert challenge.masked_destination is None


async def test_is_signed_in_false_once_the_portal_expires_sessions(
    cedar: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    await cedar.start_login(SMS)
    await cedar.submit_mfa_code(cedar_admin.latest_code(SMS_USERNAME))
    assert await cedar.is_signed_in() is True
    cedar_admin.expire_sessions()
    assert await cedar.is_signed_in() is False


async def test_password_changed_elsewhere_is_bad_credentials(
    cedar: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    cedar_admin.set_password(SMS_USERNAME, "changed-on-the-phone")
    with pytest.raises(BadCredentials):
        await cedar.start_login(SMS)
    assert cedar_admin.outbox() == []


async def test_one_step_login_refuses_a_texted_code(cedar: CedarAdapter) -> None:
    with pytest.raises(MfaRejected):
        await cedar.login(SMS)
