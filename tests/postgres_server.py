"""A real PostgreSQL server for tests: Debian's binaries, a temp cluster, a free port.

PostgreSQL refuses to run as root, so as root (CI) the cluster belongs to an unprivileged
user (``postgres``, created by Debian's package, else ``nobody``). The server is a child
process stopped by its pid (SIGINT: PostgreSQL's fast shutdown), its folder removed after.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from starters.local.stack import free_port

SUPERUSER = "billbridge"


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise FileNotFoundError("PostgreSQL server not installed: run scripts/bootstrap.sh")
    return Path(initdb).parent


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("no unprivileged user to run PostgreSQL as")


class PostgresServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._user = _unprivileged_user()
        self._root = Path(tempfile.mkdtemp(prefix="billbridge-pg-"))
        self._data = self._root / "data"
        self._log = self._root / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def _own(self, path: Path) -> None:
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self, timeout: float = 60.0) -> None:
        bin_dir = _binaries()
        self._own(self._root)
        subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(self._data), "-U", SUPERUSER,
             "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
            user=self._user, check=True, capture_output=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        log = self._log.open("ab")
        self.process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(self._data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-k", str(self._root), "-F"],
            user=self._user, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {self._log.read_text()[-2000:]}")
            try:
                with psycopg.connect(self.admin_dsn, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise TimeoutError(f"postgres did not answer on port {self.port} in {timeout:.0f}s")

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self._root, ignore_errors=True)
