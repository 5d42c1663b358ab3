"""Running a sandbox portal as a child process (tests, the demo): start, wait, stop by pid."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

logger = logging.getLogger(__name__)

# The directory holding the ``sandbox`` package, so the child finds it from any cwd.
_PROJECT_ROOT = Path(__file__).resolve().parents[1]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class PortalProcess:
    """One sandbox portal (``python -m sandbox.<vendor>``) on its own port and database."""

    def __init__(
        self,
        vendor: str,
        db_path: Path,
        *,
        seed: int = 42,
        port: int | None = None,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self.vendor = vendor
        self.db_path = Path(db_path)
        self.seed = seed
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path
        self.extra_args = list(extra_args or [])
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", f"sandbox.{self.vendor}",
            "--host", self.host, "--port", str(self.port),
            "--db", str(self.db_path), "--seed", str(self.seed),
            *self.extra_args,
        ]  # fmt: skip

    def start(self, timeout: float = 20.0) -> PortalProcess:
        if self._process is not None:
            raise RuntimeError(f"{self.vendor} sandbox already started (pid {self._process.pid})")
        output: IO[bytes] | int = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = output = self.log_path.open("ab")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")])
        )
        self._process = subprocess.Popen(
            self.command(),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        try:
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        logger.info("%s sandbox up at %s (pid %d)", self.vendor, self.base_url, self._process.pid)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise RuntimeError(
                        f"{self.vendor} sandbox exited with code {self._process.returncode}"
                        + (f"; see {self.log_path}" if self.log_path else "")
                    )
                try:
                    if client.get(f"{self.base_url}/__sandbox__/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"{self.vendor} sandbox not healthy at {self.base_url} in {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM our child, wait, then SIGKILL that same pid if it is still there."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s sandbox pid %d ignored SIGTERM; killing", self.vendor, process.pid
                )
                process.kill()
                process.wait(timeout=timeout)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> PortalProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"PortalProcess({self.vendor!r}, {self.base_url}, pid={self.pid})"

    def __del__(self, *_: Any) -> None:
        # A forgotten process must not outlive the test run that started it.
        if getattr(self, "_process", None) is not None:
            self.stop(timeout=2.0)
