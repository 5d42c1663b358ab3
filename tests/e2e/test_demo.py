"""`billbridge demo --once`, what `make demo` runs minus the waiting, as a user runs it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_demo_once_posts_a_payment_end_to_end(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BILLBRIDGE_HOME": str(tmp_path / "home"),
        "BILLBRIDGE_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("TEMPORAL_ADDRESS", None)  # the demo starts its own dev server
    demo = subprocess.Popen(
        [str(Path(sys.executable).parent / "billbridge"), "demo", "--once"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        output, _ = demo.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        demo.send_signal(signal.SIGTERM)  # the demo then stops its own children by pid
        output, _ = demo.communicate(timeout=60)
        pytest.fail(f"demo did not finish:\n{output}")

    assert demo.returncode == 0, output
    confirmation = re.search(r"Confirmation number : (CDR-\w+)", output)
    assert confirmation, output
    receipt = re.search(r"Receipt stored at   : (\S+)", output)
    assert receipt and Path(receipt.group(1)).is_file()
    assert re.search(r"New balance         : \$[\d,]+\.\d\d", output)
    assert re.search(
        r"Temporal UI         : http://localhost:\d+/namespaces/default/workflows/", output
    )
    assert (tmp_path / "data" / "temporal.db").is_file()  # SQLite persistence
    for step in ("checking the statement", "posting the payment", "downloading"):
        assert step in output
    # The sandbox's published demo secrets never reach the demo's output or the worker log.
    worker_log = (tmp_path / "data" / "worker.log").read_text()
    for secret in ("demo-password", "JBSWY3DPEHPK3PXP"):
        assert secret not in output
        assert secret not in worker_log
