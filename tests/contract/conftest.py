"""Contract fixtures: each portal's adapter on a fresh page, signed in as its TOTP login."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from pydantic import SecretStr

from models.connections import Credentials, PortalName
from portals import adapter_class
from portals.base import PortalAdapter, UnattendedSignIn
from portals.browser import BrowserPool
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.common.layout import LayoutName
from sandbox.launcher import PortalProcess
from sandbox.portals import SANDBOX_PORTALS


@dataclass(frozen=True)
class SignedIn:
    portal: PortalName
    adapter: PortalAdapter
    admin: SandboxAdmin
    user: SandboxUser


@pytest.fixture(params=list(PortalName), ids=lambda name: str(name.value))
def portal_name(request: pytest.FixtureRequest) -> PortalName:
    return PortalName(request.param)


@pytest.fixture
def layout() -> LayoutName:
    """The sandbox pages' markup; a module parametrizes it to run on both."""
    return LayoutName.V1


@pytest_asyncio.fixture
async def signed_in(
    request: pytest.FixtureRequest,
    portal_name: PortalName,
    layout: LayoutName,
    browser_pool: BrowserPool,
    processor: PortalProcess,
) -> AsyncIterator[SignedIn]:
    process: PortalProcess = request.getfixturevalue(f"{portal_name.value}_portal")
    admin: SandboxAdmin = request.getfixturevalue(f"{portal_name.value}_admin")
    admin.reset()
    SandboxAdmin(processor.base_url).reset()
    if layout is not LayoutName.V1:
        admin.set_layout(layout)
    user = admin.user(SANDBOX_PORTALS[portal_name].demo_username)
    async with browser_pool.context() as context:
        adapter = adapter_class(portal_name)(await context.new_page(), process.base_url)
        assert isinstance(adapter, UnattendedSignIn)
        await adapter.login(
            Credentials(
                username=user.username,
                password=SecretStr(user.password),
                totp_secret=SecretStr(user.totp_secret),
            )
        )
        yield SignedIn(portal_name, adapter, admin, user)
