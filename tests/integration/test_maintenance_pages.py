"""Each vendor's real maintenance page, met by its adapter in real Chromium: on the sign-in
page and on a signed-in page, as ``PortalInMaintenance`` with the end the page states, in
seconds; and no window at all unless the sandbox was asked to keep one."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from models.connections import Credentials, PortalName
from models.errors import PortalInMaintenance
from portals import adapter_class
from portals.base import PortalAdapter, UnattendedSignIn
from portals.browser import BrowserPool
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.launcher import PortalProcess
from sandbox.portals import SANDBOX_PORTALS

# A page that answered must be judged within seconds (invariant 7), maintenance included.
WITHIN_SECONDS = 10


@dataclass(frozen=True)
class Vendor:
    name: PortalName
    process: PortalProcess
    admin: SandboxAdmin
    user: SandboxUser

    def credentials(self) -> Credentials:
        return Credentials(
            username=self.user.username,
            password=SecretStr(self.user.password),
            totp_secret=SecretStr(self.user.totp_secret or ""),
        )


@pytest.fixture(params=list(PortalName), ids=lambda name: str(name.value))
def vendor(request: pytest.FixtureRequest, processor: PortalProcess) -> Iterator[Vendor]:
    name = PortalName(request.param)
    admin: SandboxAdmin = request.getfixturevalue(f"{name.value}_admin")
    admin.reset()
    SandboxAdmin(processor.base_url).reset()
    user = admin.user(SANDBOX_PORTALS[name].demo_username)
    yield Vendor(name, request.getfixturevalue(f"{name.value}_portal"), admin, user)
    admin.reset()  # the window off again for whoever shares the sandbox next


@pytest_asyncio.fixture
async def adapter(vendor: Vendor, browser_pool: BrowserPool) -> AsyncIterator[PortalAdapter]:
    async with browser_pool.context() as context:
        yield adapter_class(vendor.name)(await context.new_page(), vendor.process.base_url)


async def test_the_sign_in_meets_the_window(vendor: Vendor, adapter: PortalAdapter) -> None:
    window = vendor.admin.enter_maintenance(seconds_left=300)
    assert window.ends_at is not None

    started = time.monotonic()
    with pytest.raises(PortalInMaintenance) as caught:
        await adapter.start_login(vendor.credentials())
    assert time.monotonic() - started < WITHIN_SECONDS

    maintenance = caught.value.maintenance
    assert maintenance is not None
    assert maintenance.until == window.ends_at  # as the vendor's page states it
    assert 290 <= maintenance.retry_after_seconds <= 301  # its Retry-After
    assert f"portal in maintenance until {window.ends_at:%H:%M} UTC" in caught.value.message
    assert not caught.value.non_retryable


async def test_a_signed_in_page_meets_the_window(vendor: Vendor, adapter: PortalAdapter) -> None:
    assert isinstance(adapter, UnattendedSignIn)
    await adapter.login(vendor.credentials())
    statement_id = vendor.user.statements[0].statement_id
    window = vendor.admin.enter_maintenance(seconds_left=120)

    with pytest.raises(PortalInMaintenance) as caught:
        await adapter.get_statement(statement_id)
    assert caught.value.maintenance is not None
    assert caught.value.maintenance.until == window.ends_at


def test_the_window_is_kept_only_when_asked_for(vendor: Vendor) -> None:
    """Off after a reset, even with the clock inside the window's hours; the admin API
    answers inside the window; every page answers the vendor's 503 page."""
    assert vendor.admin.maintenance().enabled is False
    vendor.admin.enter_maintenance(seconds_left=60)
    vendor.admin.set_maintenance(False)
    with httpx.Client(base_url=vendor.process.base_url) as web:
        assert web.get("/login").status_code != 503

        inside = vendor.admin.set_maintenance(True)
        assert inside.ends_at is not None
        answer = web.get("/login")
        assert answer.status_code == 503
        assert 1 <= int(answer.headers["retry-after"]) <= 61
        assert web.get("/no/such/page").status_code == 503
    assert vendor.admin.health()["status"] == "ok"  # the admin API still answers
