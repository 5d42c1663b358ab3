"""A local AWS-compatible endpoint for tests: moto's server, over real HTTP.

Secrets Manager and S3 answer on a free local port; boto3 talks to it exactly as to AWS
(signed requests, HTTP, XML/JSON), so the code under test is the production code. The
server is a child process stopped by its pid. Credentials are dummies, set by the fixture
in tests/conftest.py so nothing can reach a real account.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import httpx

from models.settings import Settings
from starters.local.stack import ChildProcess, free_port

REGION = "us-east-1"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class AwsEndpoint(ChildProcess):
    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        super().__init__(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            log_path,
            env=DUMMY_CREDENTIALS,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited: {self.log_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"moto server did not answer on {self.url} in {timeout:.0f}s")

    def settings(self, home: Path, **overrides: Any) -> Settings:
        """Settings of a BillBridge process that uses this endpoint for Secrets Manager."""
        values: dict[str, Any] = {
            "home": home,
            "aws_endpoint_url": self.url,
            "aws_region": REGION,
            "aws_secrets_manager": True,
            **overrides,
        }
        return Settings(**values)

    def env(self) -> dict[str, str]:
        """The same, as environment variables for a BillBridge child process."""
        return {
            **DUMMY_CREDENTIALS,
            "BILLBRIDGE_AWS_ENDPOINT_URL": self.url,
            "BILLBRIDGE_AWS_REGION": REGION,
            "BILLBRIDGE_AWS_SECRETS_MANAGER": "true",
        }
