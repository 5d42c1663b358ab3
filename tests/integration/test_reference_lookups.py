"""The plan, refund and deposit lookups by reference, each one navigation to its search's
address, in real Chromium against each sandbox over HTTP: nothing found for a reference never
used, and PortalChanged (in seconds) when the portal lists unfiltered results, which must
never read as "not there" (a retry would enroll, refund or pay a deposit twice)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.async_api import Page, Route
from pydantic import SecretStr

from models.connections import Credentials, PortalName
from models.errors import PortalChanged
from portals.base import PortalAdapter
from sandbox.admin_client import SandboxAdmin
from sandbox.portals import SANDBOX_PORTALS

DETECTED_WITHIN_SECONDS = 30
# (portal, lookup, the list's path): every lookup that runs before a submit of its own.
LOOKUPS = [
    ("cedar", "find_plan", "/plans"),
    ("patientco", "find_plan", "/plans"),
    ("patientco", "find_refund", "/transactions"),
    ("healthpay24", "find_refund", "/portal/payment-activity"),
    ("healthpay24", "find_deposit", "/portal/deposits"),
]


async def signed_in(request: pytest.FixtureRequest, portal: str) -> PortalAdapter:
    """The portal's adapter (fresh sandbox, fresh page), signed in as its TOTP demo user."""
    adapter: PortalAdapter = request.getfixturevalue(portal)
    admin: SandboxAdmin = request.getfixturevalue(f"{portal}_admin")
    admin.reset()
    user = admin.user(SANDBOX_PORTALS[PortalName(portal)].demo_username)
    challenge = await adapter.start_login(
        Credentials(
            username=user.username,
            password=SecretStr(user.password),
            totp_secret=SecretStr(user.totp_secret),
        )
    )
    assert challenge is None, "the TOTP code is answered from the secret"
    return adapter


def lookup(adapter: PortalAdapter, name: str) -> Callable[[str], Awaitable[Any]]:
    found: Callable[[str], Awaitable[Any]] = getattr(adapter, name)
    return found


@pytest.mark.parametrize(("portal", "name", "path"), LOOKUPS)
async def test_a_reference_never_used_is_not_found_in_one_navigation(
    request: pytest.FixtureRequest, page: Page, portal: str, name: str, path: str
) -> None:
    adapter = await signed_in(request, portal)
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(urlsplit(frame.url).path))

    assert await lookup(adapter, name)("bb-never-used-0001") is None
    assert loads == [path]


@pytest.mark.parametrize(("portal", "name", "path"), LOOKUPS)
async def test_a_portal_ignoring_the_search_address_is_portal_changed(
    request: pytest.FixtureRequest, page: Page, portal: str, name: str, path: str
) -> None:
    adapter = await signed_in(request, portal)

    async def unfiltered(route: Route) -> None:
        await route.continue_(url=urlunsplit(urlsplit(route.request.url)._replace(query="")))

    await page.route(f"**{path}?*", unfiltered)
    started = time.monotonic()
    with pytest.raises(PortalChanged, match="no longer filters by reference"):
        await lookup(adapter, name)("bb-never-used-0002")
    assert time.monotonic() - started <= DETECTED_WITHIN_SECONDS
