"""`billbridge api` as its own process on a free port, as a caller meets it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from starters.local.stack import ChildProcess, free_port


def billbridge(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The ``billbridge`` command as a person runs it, without a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "starters", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@dataclass
class ApiProcess:
    process: ChildProcess
    url: str
    env: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return billbridge(self.env, *args)

    def new_key(self, tenant: str, name: str, *scopes: str) -> str:
        flags = [part for scope in scopes for part in ("--scope", scope)]
        done = self.cli("api-keys", "create", "--tenant", tenant, "--name", name, *flags)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[0]

    def log(self) -> str:
        return self.process.log_text()


def start_api(home: Path, env: dict[str, str]) -> ApiProcess:
    port = free_port()
    full_env = {"BILLBRIDGE_HOME": str(home), **env}
    process = ChildProcess(
        [sys.executable, "-m", "starters", "api", "--port", str(port)],
        home / "api.log",
        env=full_env,
    )
    process.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.process is not None
        if process.process.poll() is not None:
            raise RuntimeError(f"billbridge api exited: {process.log_text()[-3000:]}")
        try:
            httpx.get(f"{url}/openapi.json", timeout=2).raise_for_status()
            return ApiProcess(process, url, full_env)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.stop()
    raise TimeoutError(f"billbridge api did not answer on {url}")
