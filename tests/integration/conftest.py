"""Integration fixtures: one real Cedar sandbox process and one Chromium for the session."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from playwright.async_api import Page

if TYPE_CHECKING:
    from activities.browser import BrowserPool
    from activities.portals.cedar.adapter import CedarAdapter
    from sandbox.admin_client import SandboxAdmin
    from sandbox.launcher import PortalProcess

# Until pytest's `pythonpath` names the project root (or the package is installed), make
# `.venv/bin/pytest tests/integration` find it; the project modules are imported lazily below.
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)


@pytest.fixture(scope="session")
def cedar_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalProcess]:
    from sandbox.launcher import PortalProcess

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
    from sandbox.admin_client import SandboxAdmin

    with SandboxAdmin(cedar_portal.base_url) as admin:
        yield admin


@pytest.fixture(autouse=True)
def fresh_cedar(cedar_admin: SandboxAdmin) -> None:
    """Every test starts from the seed: empty ledger, no faults, no lockouts."""
    cedar_admin.reset()


@pytest_asyncio.fixture(scope="session")
async def browser_pool() -> AsyncIterator[BrowserPool]:
    from activities.browser import BrowserPool

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
    from activities.portals.cedar.adapter import CedarAdapter

    return CedarAdapter(page, cedar_portal.base_url)
