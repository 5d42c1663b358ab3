"""Integration fixtures: a fresh sandbox per test and a fresh page per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from playwright.async_api import Page

if TYPE_CHECKING:
    from activities.browser import BrowserPool
    from activities.portals.cedar.adapter import CedarAdapter
    from sandbox.admin_client import SandboxAdmin
    from sandbox.launcher import PortalProcess


@pytest.fixture(autouse=True)
def fresh_cedar(cedar_admin: SandboxAdmin) -> None:
    """Every test starts from the seed: empty ledger, no faults, no lockouts."""
    cedar_admin.reset()


@pytest_asyncio.fixture
async def page(browser_pool: BrowserPool) -> AsyncIterator[Page]:
    async with browser_pool.context() as context:
        yield await context.new_page()


@pytest.fixture
def cedar(page: Page, cedar_portal: PortalProcess) -> CedarAdapter:
    from activities.portals.cedar.adapter import CedarAdapter

    return CedarAdapter(page, cedar_portal.base_url)
