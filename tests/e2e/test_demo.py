"""`billbridge demo --once`, what `make demo` runs minus the waiting, as a user runs it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from models.payments import PaymentStep
from tests import session_evidence

pytestmark = pytest.mark.e2e


def _start_demo(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "BILLBRIDGE_HOME": str(tmp_path / "home"),
        "BILLBRIDGE_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("TEMPORAL_ADDRESS", None)  # the demo starts its own dev server
    session_evidence.remember_demo(tmp_path)  # its home and data dir, for the PHI scan
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "billbridge"), "demo", "--once", *args],
        stdin=subprocess.PIPE if "--mfa" in args else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )


def _finish(demo: subprocess.Popen[str], head: str = "") -> str:
    try:
        output, _ = demo.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        demo.send_signal(signal.SIGTERM)  # the demo then stops its own children by pid
        output, _ = demo.communicate(timeout=60)
        pytest.fail(f"demo did not finish:\n{head}{output}")
    output = head + output
    session_evidence.remember_output("demo", output)
    assert demo.returncode == 0, output
    assert re.search(r"Confirmation number : ([A-Z0-9]+-\w+)", output), output
    receipt = re.search(r"Receipt stored at   : (\S+)", output)
    assert receipt and Path(receipt.group(1)).is_file()
    assert re.search(r"New balance         : \$[\d,]+\.\d\d", output)
    assert re.search(
        r"Temporal UI         : http://localhost:\d+/namespaces/default/workflows/", output
    )
    # The HTTP API beside it, with its key, and one call through it after the payment.
    assert re.search(r"HTTP API            : http://127\.0\.0\.1:\d+ \(docs \S+/docs\)", output)
    assert re.search(r"^      bbk_\S+$", output, re.MULTILINE), output
    assert re.search(
        r"GET /health -> 200: ok \(temporal reachable: True, database reachable: True\)", output
    )
    assert re.search(r"GET /connections/demo-\w+-\w+ -> 200: status active", output), output
    return output


def test_demo_once_posts_a_payment_end_to_end(tmp_path: Path) -> None:
    output = _finish(_start_demo(tmp_path))

    assert (tmp_path / "data" / "temporal.db").is_file()  # SQLite persistence
    # One activity pays (statement, lookup, submit, receipt): its step, then the outcome.
    assert PaymentStep.PAYING.label in output and "completed" in output
    # The UI was pointed at a codec server (its wiring is checked in test_encrypted_history).
    assert re.search(
        r"payloads are encrypted; the UI reads them through http://127\.0\.0\.1:\d+", output
    )
    assert (
        "codec server on http://127.0.0.1:" in (tmp_path / "data" / "codec-server.log").read_text()
    )
    # The sandbox's published demo secrets never reach the demo's output or the worker log.
    worker_log = (tmp_path / "data" / "worker.log").read_text()
    # Positive control: the log searched is the one this payment's worker wrote, from its
    # start through the payment's steps (the sign-in, where the secrets are used, among
    # them), so the absence below is over a real log, not an empty or a stale file.
    link = re.search(r"Temporal UI\s+: \S+/workflows/(\S+)", output)
    assert link, output
    assert "worker ready on task queue" in worker_log, worker_log
    lines = worker_log.splitlines()
    for step in ("awaiting_session", "completed"):  # before the sign-in, after the receipt
        assert any(f"payment step {step}" in line and link.group(1) in line for line in lines), (
            step,
            worker_log,
        )
    for secret in ("demo-password", "JBSWY3DPEHPK3PXP"):
        assert secret not in output
        assert secret not in worker_log


@pytest.mark.parametrize("portal", ["patientco", "healthpay24"])
def test_demo_once_on_another_portal(tmp_path: Path, portal: str) -> None:
    output = _finish(_start_demo(tmp_path, "--portal", portal))

    assert f"card processor and {portal} sandbox portal" in output
    assert "with the Visa ending in 4242 on file" in output


def test_demo_refuses_a_code_kind_the_portal_does_not_send(tmp_path: Path) -> None:
    demo = _start_demo(tmp_path, "--portal", "patientco", "--mfa", "sms")
    output, _ = demo.communicate(timeout=60)

    assert demo.returncode == 2
    assert "has no login with sms codes; choose --mfa email or totp" in output


def test_demo_with_sms_mfa_takes_the_code_from_the_terminal(tmp_path: Path) -> None:
    demo = _start_demo(tmp_path, "--mfa", "sms")
    assert demo.stdout is not None and demo.stdin is not None
    # A demo stuck before its prompt is stopped (SIGTERM: it stops its children by pid).
    watchdog = threading.Timer(240, demo.send_signal, (signal.SIGTERM,))
    watchdog.start()
    try:
        head = ""
        while (outbox := re.search(r"(http://\S+/__sandbox__/outbox)", head)) is None:
            line = demo.stdout.readline()
            assert line, f"the demo ended before asking for the code:\n{head}"
            head += line
        assert "sent a code by sms to ***-***-0112" in head
        # While the payment waits for the person, the API is up and reaches both.
        api = re.search(r"HTTP API: starting.*\n +ready at (http://\S+),", head)
        assert api, head
        health = httpx.get(f"{api.group(1)}/health", timeout=30).json()
        assert health["temporal"]["reachable"] and health["database"]["reachable"], health
        # Acting as the person reading the phone.
        messages = httpx.get(outbox.group(1), params={"username": "sms.patient"}).json()
        code = messages["messages"][0]["code"]
        session_evidence.remember_code(code)
        demo.stdin.write(f"{code}\n")
        demo.stdin.flush()
        output = _finish(demo, head)
    finally:
        watchdog.cancel()
    assert "signed in" in output
