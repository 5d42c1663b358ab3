"""End-to-end fixtures: a real Temporal dev server, real workers, Chromium and the sandbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.worker import Worker

from models.connections import PortalName
from models.payments import PostPaymentRequest
from models.settings import Settings
from portals.browser import BrowserPool
from sandbox.admin_client import SandboxAdmin
from sandbox.launcher import PortalProcess
from sandbox.portals import SANDBOX_PORTALS, SandboxPortal
from starters.client import BillBridgeClient, SessionsClient
from starters.local.stack import TemporalDevServer, WorkerProcess
from stores.artifacts import ArtifactStore, open_artifact_store
from stores.connections import save_connection
from stores.keyring import CODEC_KEYS_REF
from stores.secrets import open_secret_store
from tests.e2e.helpers import payment_for
from tests.replay.recording import REPLAY_KEYRING
from workers.main import build_worker


@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemporalDevServer]:
    workdir = tmp_path_factory.mktemp("temporal")
    server = TemporalDevServer(workdir / "temporal.log", ui=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def settings(
    tmp_path_factory: pytest.TempPathFactory, temporal_server: TemporalDevServer
) -> Settings:
    settings = Settings(
        home=tmp_path_factory.mktemp("billbridge-home"),
        temporal_address=temporal_server.address,
    )
    # Before anything connects: histories written here can then be kept for replay tests.
    open_secret_store(settings).put(CODEC_KEYS_REF, REPLAY_KEYRING.model_dump_json())
    return settings


@pytest.fixture
def artifact_store(settings: Settings) -> ArtifactStore:
    """The workers' artifact store: receipts are read back through it, decrypted."""
    return open_artifact_store(settings, open_secret_store(settings))


@dataclass(frozen=True)
class PortalUnderTest:
    """One sandbox portal as a test drives it: catalog entry, process and admin API."""

    sandbox: SandboxPortal
    process: PortalProcess
    admin: SandboxAdmin

    @property
    def name(self) -> PortalName:
        return self.sandbox.name


@pytest.fixture
def portal_under_test(request: pytest.FixtureRequest) -> PortalUnderTest:
    """Cedar, unless a test module parametrizes it (indirect) over PortalName."""
    name = PortalName(getattr(request, "param", PortalName.CEDAR))
    return PortalUnderTest(
        SANDBOX_PORTALS[name],
        request.getfixturevalue(f"{name.value}_portal"),
        request.getfixturevalue(f"{name.value}_admin"),
    )


# For a test that runs on every portal in a module whose other tests stay on Cedar.
EVERY_PORTAL = pytest.mark.parametrize("portal_under_test", list(PortalName), indirect=True)


@pytest.fixture
def sandbox_admin(portal_under_test: PortalUnderTest) -> SandboxAdmin:
    return portal_under_test.admin


class Connections:
    """Connections made for one test: each test has its own, hence its own session workflow."""

    def __init__(self, settings: Settings, portal: PortalUnderTest) -> None:
        self._settings = settings
        self._portal = portal

    def add(self, username: str, *, password: str | None = None, totp: bool = True) -> str:
        user = self._portal.admin.user(username)
        connection_id = f"{username.replace('.', '-')}-{uuid.uuid4().hex[:8]}"
        save_connection(
            self._settings,
            connection_id=connection_id,
            portal=self._portal.name,
            base_url=self._portal.process.base_url,
            username=user.username,
            password=password or user.password,
            totp_secret=user.totp_secret if totp and user.totp_secret else None,
        )
        return connection_id


@pytest.fixture
def connections(settings: Settings, portal_under_test: PortalUnderTest) -> Connections:
    return Connections(settings, portal_under_test)


@pytest_asyncio.fixture(scope="session")
async def bb_client(settings: Settings) -> BillBridgeClient:
    return await BillBridgeClient.connect(settings)


@pytest.fixture
def task_queue() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def client(bb_client: BillBridgeClient, task_queue: str) -> BillBridgeClient:
    """The typed client, pointed at this test's own task queue."""
    return BillBridgeClient(bb_client.temporal, task_queue)


@pytest_asyncio.fixture
async def worker(
    bb_client: BillBridgeClient, settings: Settings, browser_pool: BrowserPool, task_queue: str
) -> AsyncIterator[Worker]:
    worker = build_worker(bb_client.temporal, settings, browser_pool, task_queue=task_queue)
    async with worker:
        yield worker


@pytest.fixture
def worker_process_factory(
    settings: Settings, task_queue: str, tmp_path: Path
) -> Iterator[Callable[[], WorkerProcess]]:
    """Workers as separate processes (to be killed), all stopped by pid at the end."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        process = WorkerProcess(
            tmp_path / "worker.log",
            {
                "TEMPORAL_ADDRESS": settings.temporal_address,
                "BILLBRIDGE_HOME": str(settings.home),
                "BILLBRIDGE_TASK_QUEUE": task_queue,
                # No sticky queues: a killed worker's cached workflows would otherwise wait
                # out the sticky schedule-to-start timeout (10 s) before the next worker gets
                # their tasks (measured: an MFA code's Update and the payment after it, 11 to
                # 30 s on the dev server); a restart replays from history either way.
                "BILLBRIDGE_MAX_CACHED_WORKFLOWS": "0",
            },
        )
        started.append(process)
        process.start()
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(autouse=True)
def fresh_portal(portal_under_test: PortalUnderTest, processor: PortalProcess) -> None:
    portal_under_test.admin.reset()
    SandboxAdmin(processor.base_url).reset()


@pytest.fixture
def payment_request(
    portal_under_test: PortalUnderTest, connections: Connections
) -> PostPaymentRequest:
    """$10.00 with an approving card by the portal's TOTP login, on a connection of its own."""
    username = portal_under_test.sandbox.demo_username
    return payment_for(portal_under_test.admin, connections.add(username), username, cents=1000)


@pytest.fixture
def sessions(client: BillBridgeClient) -> SessionsClient:
    return SessionsClient(client.temporal)


@dataclass(frozen=True)
class CodeLogin:
    """A connection to the portal's login whose one-time codes go to a person, with no
    TOTP secret: its logins wait for someone to read the code and type it in."""

    connection_id: str
    username: str
    method: str  # "sms" | "email": how the portal sends it (sandbox/portals.py's catalog)


@pytest.fixture
def code_login(portal_under_test: PortalUnderTest, connections: Connections) -> CodeLogin:
    """Cedar's and HealthPay24's SMS patient, Patientco's email-code staff login."""
    logins = portal_under_test.sandbox.logins_by_mfa
    method = "sms" if "sms" in logins else "email"
    username = logins[method]
    return CodeLogin(connections.add(username, totp=False), username, method)


@pytest.fixture
def sms_connection(connections: Connections) -> str:
    """A connection to the sandbox's SMS patient, no TOTP secret: logins wait for a person."""
    return connections.add("sms.patient", totp=False)
