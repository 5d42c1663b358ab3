"""Fetching HealthPay24's settlement files over SFTP (asyncssh's client).

The server must present the host key whose fingerprint the connection was configured with:
any other key ends the handshake before the password is sent (HostKeyMismatch). A login the
server refuses is BadCredentials; a server that cannot be reached is PortalUnavailable
(retryable); a folder that is not there is PortalChanged.
"""

from __future__ import annotations

import asyncio
import hmac
import posixpath

import asyncssh

from models.errors import BadCredentials, HostKeyMismatch, PortalChanged, PortalUnavailable
from models.settlements import SettlementFile, SftpLogin

CONNECT_SECONDS = 15.0
SUFFIX = ".csv"


class _PinnedHostKey(asyncssh.SSHClient):
    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        return hmac.compare_digest(key.get_fingerprint("sha256"), self._fingerprint)


async def download_settlement_files(
    login: SftpLogin, *, skip: frozenset[str] = frozenset()
) -> list[SettlementFile]:
    """Every settlement file in the folder but those named in ``skip``, oldest name first."""
    try:
        connection, _ = await asyncio.wait_for(
            asyncssh.create_connection(
                lambda: _PinnedHostKey(login.host_key_fingerprint), login.host, login.port,
                username=login.username, password=login.password.get_secret_value(),
                known_hosts=([], [], []),  # trust nothing but the pinned key (above)
                server_host_key_algs="default", client_keys=None, agent_path=None,
            ),
            CONNECT_SECONDS,
        )  # fmt: skip
    except asyncssh.PermissionDenied:
        raise BadCredentials("the SFTP server refused the settlement login") from None
    except asyncssh.HostKeyNotVerifiable:
        raise HostKeyMismatch(
            "the SFTP server's host key is not the one configured on the connection"
        ) from None
    except (OSError, TimeoutError, asyncssh.Error) as error:
        raise PortalUnavailable(f"SFTP server unreachable: {type(error).__name__}") from None
    found: list[SettlementFile] = []
    async with connection, connection.start_sftp_client() as sftp:
        try:
            names = sorted(await sftp.listdir(login.directory))
        except asyncssh.SFTPNoSuchFile:
            raise PortalChanged(
                f"no settlement folder {login.directory!r} on the SFTP server"
            ) from None
        for name in names:
            if not name.endswith(SUFFIX) or name in skip:
                continue
            async with sftp.open(posixpath.join(login.directory, name), "rb") as remote:
                content: bytes = await remote.read()
            found.append(SettlementFile(name=name, content=content))
    return found
