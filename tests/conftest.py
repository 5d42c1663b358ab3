"""Fixtures shared by every test layer: the Cedar sandbox process and one Chromium.

Processes started here are stopped here, by pid. Ports are always picked free.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from activities.browser import BrowserPool
from sandbox.admin_client import SandboxAdmin
from sandbox.launcher import PortalProcess
from starters.process_exit import exit_now


@pytest.fixture(scope="session")
def processor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalProcess]:
    """The sandbox card/ACH processor (hosted fields, tokens, charges) every portal uses."""
    workdir = tmp_path_factory.mktemp("processor")
    service = PortalProcess(
        "processor", workdir / "processor.sqlite3", seed=42, log_path=workdir / "processor.log"
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def cedar_portal(
    tmp_path_factory: pytest.TempPathFactory, processor: PortalProcess
) -> Iterator[PortalProcess]:
    """Cedar charging its payments through the sandbox processor."""
    workdir = tmp_path_factory.mktemp("cedar-sandbox")
    portal = PortalProcess(
        "cedar", workdir / "cedar.sqlite3", seed=42, log_path=workdir / "cedar.log",
        extra_args=["--processor-url", processor.base_url],
    )  # fmt: skip
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture(scope="session")
def cedar_admin(cedar_portal: PortalProcess) -> Iterator[SandboxAdmin]:
    with SandboxAdmin(cedar_portal.base_url) as admin:
        yield admin


@pytest_asyncio.fixture(scope="session")
async def browser_pool() -> AsyncIterator[BrowserPool]:
    pool = BrowserPool()
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without interpreter finalization once pytest has reported everything.

    The Temporal client's native threads can abort CPython's shutdown
    ("PyGILState_Release", temporalio/sdk-python#300), which would turn a green run into
    exit code 134. The summary line is printed by now, so exit with pytest's own status.
    """
    status = getattr(config, "_billbridge_exitstatus", None)
    if status is not None:
        exit_now(int(status))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config._billbridge_exitstatus = exitstatus  # type: ignore[attr-defined]
