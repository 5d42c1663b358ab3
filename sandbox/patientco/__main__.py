"""``python -m sandbox.patientco``: the Patientco staff console and its identity provider.

Two servers in one process and one event loop: the console on ``--port`` and Patientco ID
(the OpenID Connect provider staff sign in with) on ``--idp-port``, its own origin. The
console's ``/__sandbox__/health`` answers 200 only once both accept connections.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from sandbox.common.connection_drop import ConnectionRegistry, protocol_kwargs
from sandbox.common.serving import add_launcher_arguments, add_portal_arguments, configure_logging
from sandbox.patientco import db as database
from sandbox.patientco.app import create_app
from sandbox.patientco.idp.app import create_idp_app
from sandbox.patientco.idp.oidc import IdentityProvider, RegisteredClient
from sandbox.patientco.idp.state import IdpState
from sandbox.patientco.settings import SandboxSettings
from sandbox.patientco.sso_client import OidcClient
from sandbox.patientco.state import PatientcoSandbox
from sandbox.processor.client import ProcessorClient

logger = logging.getLogger("sandbox.patientco")


def parse_args(argv: list[str] | None = None) -> SandboxSettings:
    parser = argparse.ArgumentParser(prog="python -m sandbox.patientco", description=__doc__)
    add_launcher_arguments(parser, port=8102, db=Path(".data/sandbox/patientco.sqlite3"))
    parser.add_argument("--guarantors", type=int, default=8)
    parser.add_argument("--processor-url", default="http://127.0.0.1:8100")
    parser.add_argument("--idp-port", type=int, default=0, help="0 or absent: a free port")
    add_portal_arguments(parser)
    args = parser.parse_args(argv)
    return SandboxSettings(
        db_path=args.db, host=args.host, port=args.port, seed=args.seed,
        guarantors=args.guarantors, processor_url=args.processor_url, idp_port=args.idp_port,
        session_idle_seconds=args.session_idle_seconds, code_seconds=args.code_seconds,
        reset=args.reset, maintenance_window=args.maintenance_window,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    configure_logging(quiet_httpx=True)
    asyncio.run(serve(parse_args(argv)))


async def serve(settings: SandboxSettings) -> None:
    # Bound before anything else so the issuer URL (which names the port) is known.
    idp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    idp_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    idp_socket.bind((settings.host, settings.idp_port))
    issuer = f"http://{settings.host}:{idp_socket.getsockname()[1]}"
    connection = database.connect(settings.db_path)
    oidc = OidcClient.register(issuer, settings.portal_url)
    processor = ProcessorClient(settings.processor_url, merchant="patientco")
    connections = ConnectionRegistry()
    sandbox = PatientcoSandbox(settings, connection, connections, processor, oidc)
    if settings.reset or not database.is_seeded(connection):
        sandbox.reset()
    client = RegisteredClient(oidc.client_id, oidc.client_secret, oidc.redirect_uri,
                              f"{settings.portal_url}/login?signed_out=1")  # fmt: skip
    idp = IdpState(
        settings,
        connection,
        sandbox.faults,
        IdentityProvider(issuer, client, connection),
        layout=sandbox.layout,
    )
    console = _QuietServer(uvicorn.Config(
        create_app(sandbox), host=settings.host, port=settings.port, log_level="warning",
        access_log=False, **protocol_kwargs(connections),
    ))  # fmt: skip
    identity = _QuietServer(uvicorn.Config(
        create_idp_app(idp), log_level="warning", access_log=False
    ))  # fmt: skip
    sandbox.idp_started = lambda: identity.started
    servers = (console, identity)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _stop_all, servers)
    try:
        running = [asyncio.create_task(console.serve()),
                   asyncio.create_task(identity.serve(sockets=[idp_socket]))]  # fmt: skip
        await _announce(settings, issuer, servers)
        await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        _stop_all(servers)  # one failed to start or stopped: the other follows
        await asyncio.gather(*running, return_exceptions=True)
    finally:
        await processor.aclose()
        connection.close()


def _stop_all(servers: tuple[uvicorn.Server, ...]) -> None:
    for server in servers:
        server.should_exit = True


async def _announce(
    settings: SandboxSettings, issuer: str, servers: tuple[uvicorn.Server, ...]
) -> None:
    while not all(server.started for server in servers):
        if any(server.should_exit for server in servers):
            return
        await asyncio.sleep(0.05)
    logger.info("Patientco sandbox listening on %s (Patientco ID at %s)", settings.portal_url,
                issuer)  # fmt: skip


class _QuietServer(uvicorn.Server):
    """Signals are handled once for both servers (``serve``), not by each server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


if __name__ == "__main__":
    main()
