"""Fixtures shared by every test layer: the processor, the three sandbox portals, one Chromium.

Processes started here are stopped here, by pid. Ports are always picked free.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import pytest_asyncio

from models.settings import Settings
from portals.browser import BrowserPool
from sandbox.admin_client import OutboxMessage, SandboxAdmin
from sandbox.launcher import PortalProcess
from tests import session_evidence
from tests.aws_endpoint import DUMMY_CREDENTIALS, AwsEndpoint
from workers.process_exit import exit_now


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "after_all: runs after every other test of the session (the final scans)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``after_all`` tests last, whatever was selected, in their own order."""
    last = [item for item in items if item.get_closest_marker("after_all")]
    if last:
        items[:] = [item for item in items if not item.get_closest_marker("after_all")] + last


@pytest.fixture(scope="session", autouse=True)
def session_evidence_recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keeps what the final "no PHI in the clear" scan reads: this process's log records, and
    every one-time code a test reads from a sandbox outbox (the codes are random)."""
    handler = session_evidence.start(tmp_path_factory.mktemp("session-evidence"))
    read_outbox = SandboxAdmin.outbox

    def outbox(self: SandboxAdmin, username: str | None = None) -> list[OutboxMessage]:
        messages = read_outbox(self, username)
        for message in messages:
            session_evidence.remember_code(message.code)
        return messages

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SandboxAdmin, "outbox", outbox)
        yield
    logging.getLogger().removeHandler(handler)
    handler.close()


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


def _sandbox_portal(vendor: str) -> Callable[..., Iterator[PortalProcess]]:
    """A session fixture running one vendor's sandbox, charging through the processor."""

    def portal(
        tmp_path_factory: pytest.TempPathFactory, processor: PortalProcess
    ) -> Iterator[PortalProcess]:
        workdir = tmp_path_factory.mktemp(f"{vendor}-sandbox")
        process = PortalProcess(
            vendor, workdir / f"{vendor}.sqlite3", seed=42, log_path=workdir / f"{vendor}.log",
            extra_args=["--processor-url", processor.base_url],
        )  # fmt: skip
        process.start()
        try:
            yield process
        finally:
            process.stop()

    portal.__name__ = f"{vendor}_portal"
    return pytest.fixture(scope="session", name=f"{vendor}_portal")(portal)


def _sandbox_admin(vendor: str) -> Callable[..., Iterator[SandboxAdmin]]:
    def admin(request: pytest.FixtureRequest) -> Iterator[SandboxAdmin]:
        process: PortalProcess = request.getfixturevalue(f"{vendor}_portal")
        with SandboxAdmin(process.base_url) as client:
            yield client

    admin.__name__ = f"{vendor}_admin"
    return pytest.fixture(scope="session", name=f"{vendor}_admin")(admin)


cedar_portal = _sandbox_portal("cedar")
cedar_admin = _sandbox_admin("cedar")
patientco_portal = _sandbox_portal("patientco")
patientco_admin = _sandbox_admin("patientco")
healthpay24_portal = _sandbox_portal("healthpay24")
healthpay24_admin = _sandbox_admin("healthpay24")


@pytest.fixture(scope="session")
def aws_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsEndpoint]:
    """moto's server (Secrets Manager, S3) over HTTP; boto3 gets dummy credentials only."""
    endpoint = AwsEndpoint(tmp_path_factory.mktemp("aws") / "moto.log")
    endpoint.start()
    try:
        with pytest.MonkeyPatch.context() as env:
            for name, value in DUMMY_CREDENTIALS.items():
                env.setenv(name, value)
            yield endpoint
    finally:
        endpoint.stop()


@pytest_asyncio.fixture(scope="session")
async def browser_pool() -> AsyncIterator[BrowserPool]:
    pool = BrowserPool(executable=Settings().browser)
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
