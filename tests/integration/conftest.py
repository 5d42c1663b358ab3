"""Integration fixtures: one real Cedar sandbox process and one Chromium for the session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Page

from activities.browser import BrowserPool
from activities.portals.cedar.adapter import CedarAdapter
from sandbox.admin_client import SandboxAdmin
from sandbox.launcher import PortalProcess


@pytest.fixture(scope="session")
def cedar_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalProcess]:
    workdir = tmp_path_factory.mktemp("cedar-sandbox")
    portal = PortalProcess(
        "cedar", workdir / "cedar.sqlite3", seed=42, log_path=workdir / "cedar.log"
    )
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture(scope="session")
def cedar_admin(cedar_portal: PortalProcess) -> Iterator[SandboxAdmin]:
    with SandboxAdmin(cedar_portal.base_url) as admin:
        yield admin


@pytest.fixture(autouse=True)
def fresh_cedar(cedar_admin: SandboxAdmin) -> None:
    """Every test starts from the seed: empty ledger, no faults, no lockouts."""
    cedar_admin.reset()


@pytest_asyncio.fixture(scope="session")
async def browser_pool() -> AsyncIterator[BrowserPool]:
    pool = BrowserPool()
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()


@pytest_asyncio.fixture
async def page(browser_pool: BrowserPool) -> AsyncIterator[Page]:
    async with browser_pool.context() as context:
        yield await context.new_page()


@pytest.fixture
def cedar(page: Page, cedar_portal: PortalProcess) -> CedarAdapter:
    return CedarAdapter(page, cedar_portal.base_url)
