"""Integration fixtures: a fresh sandbox per test and a fresh page per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from playwright.async_api import Page

if TYPE_CHECKING:
    from portals.browser import BrowserPool
    from portals.cedar.adapter import CedarAdapter
    from portals.healthpay24.adapter import HealthPay24Adapter
    from sandbox.admin_client import SandboxAdmin
    from sandbox.launcher import PortalProcess


@pytest.fixture(autouse=True)
def fresh_cedar(request: pytest.FixtureRequest) -> None:
    """Every Cedar test starts from the seed: empty ledger, no faults, no lockouts."""
    if "cedar" in request.module.__name__:
        request.getfixturevalue("cedar_admin").reset()


@pytest_asyncio.fixture
async def page(browser_pool: BrowserPool) -> AsyncIterator[Page]:
    async with browser_pool.context() as context:
        yield await context.new_page()


@pytest.fixture
def cedar(page: Page, cedar_portal: PortalProcess) -> CedarAdapter:
    from portals.cedar.adapter import CedarAdapter

    return CedarAdapter(page, cedar_portal.base_url)


@pytest.fixture
def fresh_healthpay24(healthpay24_admin: SandboxAdmin) -> None:
    """Start from the seed: empty ledger, no faults, no lockouts, an empty outbox."""
    healthpay24_admin.reset()


@pytest.fixture
def healthpay24(
    page: Page, healthpay24_portal: PortalProcess, fresh_healthpay24: None
) -> HealthPay24Adapter:
    from portals.healthpay24.adapter import HealthPay24Adapter

    return HealthPay24Adapter(page, healthpay24_portal.base_url)


if TYPE_CHECKING:
    from portals.patientco.adapter import PatientcoAdapter


@pytest.fixture
def fresh_patientco(patientco_admin: SandboxAdmin) -> None:
    """Start from the seed: empty ledger and batches, no faults, lockouts or sessions."""
    patientco_admin.reset()


@pytest.fixture
def patientco(
    page: Page, patientco_portal: PortalProcess, fresh_patientco: None
) -> PatientcoAdapter:
    from portals.patientco.adapter import PatientcoAdapter

    return PatientcoAdapter(page, patientco_portal.base_url)
