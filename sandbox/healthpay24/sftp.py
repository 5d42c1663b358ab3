"""HealthPay24's SFTP server: the daily settlement files, read-only, behind its own login.

An asyncssh server in the sandbox's own event loop, started and stopped with the app, on a
free port unless one is given. It has its own host key (kept next to the database, so a
restart keeps the fingerprint a connection was configured with) and its own login, which is
not any portal user's. Each SFTP session sees the files as they are when it opens: the
closed batches on the sandbox clock, with the export faults armed at that moment.
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from pydantic import BaseModel

from sandbox.common.export_faults import ExportFaultState
from sandbox.healthpay24 import settlement_files

USERNAME = "hp24-settlements"


class SftpLogin(BaseModel):
    """What the admin API tells a test or an operator setting up a connection."""

    host: str
    port: int
    username: str
    password: str
    host_key_fingerprint: str  # SHA256:… as ssh-keygen -l shows it
    directory: str


def password_for(seed: int) -> str:
    # Deterministic per seed like every sandbox login, yet no portal user's password.
    return "sftp-" + hashlib.sha256(f"healthpay24-sftp:{seed}".encode()).hexdigest()[:16]


def host_key(path: Path) -> asyncssh.SSHKey:
    if path.exists():
        return asyncssh.read_private_key(path)
    key = asyncssh.generate_private_key("ssh-ed25519")
    path.parent.mkdir(parents=True, exist_ok=True)
    key.write_private_key(path)
    path.chmod(0o600)
    return key


class _Login(asyncssh.SSHServer):
    def __init__(self, password: str) -> None:
        self._password = password

    def begin_auth(self, username: str) -> bool:
        return True  # every user must authenticate

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USERNAME and hmac.compare_digest(password, self._password)


class _ReadOnlyFiles(asyncssh.SFTPServer):
    """The server's files as published; nothing can be written, renamed or removed."""

    _WRITING = asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        if pflags & self._WRITING:
            raise asyncssh.SFTPPermissionDenied("the settlement folder is read-only")
        return super().open(path, pflags, attrs)

    def _refuse(self, *_: object) -> None:
        raise asyncssh.SFTPPermissionDenied("the settlement folder is read-only")

    remove = rename = mkdir = rmdir = setstat = symlink = link = _refuse  # type: ignore[assignment]


@dataclass
class SettlementSftp:
    """The running server and what it publishes."""

    db: sqlite3.Connection
    faults: ExportFaultState
    root: Path  # published files are written here for each session
    seed: int
    key_path: Path
    host: str = "127.0.0.1"
    port: int = 0
    _server: asyncssh.SSHAcceptor | None = None
    _fingerprint: str = ""

    async def start(self) -> None:
        key = host_key(self.key_path)
        self._fingerprint = key.get_fingerprint("sha256")
        password = password_for(self.seed)
        self._server = await asyncssh.create_server(
            lambda: _Login(password), self.host, self.port, server_host_keys=[key],
            sftp_factory=self._session, allow_scp=False,
        )  # fmt: skip
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def login(self) -> SftpLogin:
        return SftpLogin(
            host=self.host, port=self.port, username=USERNAME, password=password_for(self.seed),
            host_key_fingerprint=self._fingerprint, directory=settlement_files.DIRECTORY,
        )  # fmt: skip

    @property
    def _session(self) -> Callable[[asyncssh.SSHServerChannel[bytes]], asyncssh.SFTPServer]:
        def open_session(channel: asyncssh.SSHServerChannel[bytes]) -> asyncssh.SFTPServer:
            self._publish()
            return _ReadOnlyFiles(channel, chroot=str(self.root).encode())

        return open_session

    def _publish(self) -> None:
        folder = self.root / settlement_files.DIRECTORY
        shutil.rmtree(self.root, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, text in settlement_files.files(self.db, self.faults).items():
            (folder / name).write_text(text, newline="")
