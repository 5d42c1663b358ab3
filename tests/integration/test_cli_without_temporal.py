"""The real ``billbridge`` script with no Temporal server: refusals first, then one line.

What a new user meets before anything runs: input the CLI can judge alone is refused (exit
2) without dialing a server, and every command that needs a server says in one line where
it looked and how to start one (exit 1), never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.connections import SecretRef
from models.settings import Settings
from starters.cli.failures import unreachable_line
from starters.local.stack import free_port
from stores.secret_file import LocalSecretFile
from workers.temporal_unreachable import TemporalUnreachable

BILLBRIDGE = str(Path(sys.executable).parent / "billbridge")
PAY = ["pay", "--connection", "c1", "--statement", "ST-1", "--method", "tok_x"]

# Every command that talks to Temporal (the others work on local files only).
CONNECTING = {
    "pay": [*PAY, "--amount", "10.00"],
    "pay-no-wait": [*PAY, "--amount", "10.00", "--no-wait"],
    "mfa-list": ["mfa", "list"],
    "mfa-submit": ["mfa", "submit", "c1", "123456"],
    "mfa-resend": ["mfa", "resend", "c1"],
    "audit-pack": ["audit", "pack", "payment-x", "--out", "pack"],
    "worker": ["worker"],
    "demo": ["demo", "--once"],
}
REFUSED = {
    "negative-amount": ([*PAY, "--amount", "-3"], "error: InvalidAmount: "),
    "zero-amount": ([*PAY, "--amount", "0"], "error: InvalidAmount: "),
    "amount-not-a-number": ([*PAY, "--amount", "ten"], "error: InvalidInput: --amount"),
    "card-number": (
        [*PAY[:-1], "4242 4242 4242 4242", "--amount", "1.00"],
        "error: CardNumberRefused: ",
    ),
    "connection-id": (
        ["pay", "--connection", "Jane Doe", *PAY[3:], "--amount", "1.00"],
        "error: InvalidInput: connection_id must be an opaque id",
    ),
    "idempotency-key": (
        [*PAY, "--amount", "1.00", "--idempotency-key", "2024-01-31"],
        "error: InvalidInput: idempotency_key",
    ),
    "mfa-connection-id": (["mfa", "submit", "no such/id", "123456"], "error: InvalidInput: "),
    "mfa-empty-code": (["mfa", "submit", "c1", ""], "error: invalid input: ('code',)"),
    "mfa-malformed-code": (
        ["mfa", "submit", "c1", "12ab"],
        "error: InvalidInput: an MFA code is 4 to 8 digits",
    ),
    "mfa-resend-connection-id": (["mfa", "resend", "a b"], "error: InvalidInput: "),
}


@pytest.fixture
def nowhere() -> str:
    """An address where nothing listens: a port just handed out by the OS and closed."""
    return f"127.0.0.1:{free_port()}"


def _billbridge(
    home: Path, address: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "BILLBRIDGE_"))
    }
    return subprocess.run(
        [BILLBRIDGE, *args],
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **inherited,
            "TEMPORAL_ADDRESS": address,
            "BILLBRIDGE_HOME": str(home / "home"),
            "BILLBRIDGE_DATA_DIR": str(home / "data"),
            "BILLBRIDGE_PORTAL_PASSWORD": "new-password",
            **(env or {}),
        },
    )


def _says_no_server_answered(done: subprocess.CompletedProcess[str], address: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("error: TemporalUnreachable: no Temporal server answered at ")
    assert f"at {address} (namespace default; address from TEMPORAL_ADDRESS)" in line
    assert "`make demo`" in line and "`temporal server start-dev`" in line


@pytest.mark.parametrize("args", CONNECTING.values(), ids=CONNECTING.keys())
def test_an_unreachable_server_is_one_line_and_exit_1(
    tmp_path: Path, nowhere: str, args: list[str]
) -> None:
    _says_no_server_answered(_billbridge(tmp_path, nowhere, *args), nowhere)


def test_a_repair_without_a_server_says_so_and_stores_nothing(tmp_path: Path, nowhere: str) -> None:
    added = _billbridge(
        tmp_path, nowhere, "connections", "add", "c1", "--portal", "cedar",
        "--base-url", "http://127.0.0.1:9", "--username", "someone",
        env={"BILLBRIDGE_PORTAL_PASSWORD": "old-password"},
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    _says_no_server_answered(_billbridge(tmp_path, nowhere, "connections", "repair", "c1"), nowhere)

    # Nothing half done: the new password waits until a server can be told of it.
    secrets = LocalSecretFile(tmp_path / "home" / "secrets.json")
    assert secrets.get(SecretRef(ref="local:c1/password")) == "old-password"


@pytest.mark.parametrize(("args", "expected"), REFUSED.values(), ids=REFUSED.keys())
def test_bad_input_is_refused_with_exit_2_before_any_server_is_dialed(
    tmp_path: Path, nowhere: str, args: list[str], expected: str
) -> None:
    done = _billbridge(tmp_path, nowhere, *args)

    # Exit 1 would mean it dialed first: nothing listens at that address.
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert expected in done.stderr
    assert "TemporalUnreachable" not in done.stderr and "Traceback" not in done.stderr
    assert "4242 4242" not in done.stdout + done.stderr


def test_the_line_says_when_the_address_is_only_the_default() -> None:
    line = unreachable_line(TemporalUnreachable(Settings()))

    assert "at localhost:7233 (namespace default; " in line
    assert "TEMPORAL_ADDRESS unset" in line and "`temporal server start-dev`" in line
