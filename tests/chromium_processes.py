"""Finding a browser pool's Chromium among this process's descendants, to kill it by pid."""

from __future__ import annotations

import os
import signal
import time

from tests.e2e.processes import alive, command_line, descendants


def browser_processes(root: int | None = None) -> set[int]:
    """Chromium main processes under ``root`` (default: this process): not its renderers,
    GPU or utility children, which carry a ``--type=`` flag."""
    found = set()
    for pid in descendants(root if root is not None else os.getpid()):
        line = command_line(pid)
        if "chrom" in line and "--type=" not in line:
            found.add(pid)
    return alive(found)


def kill_and_wait(pid: int, seconds: float = 10.0) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + seconds
    while alive({pid}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive({pid}), f"Chromium {pid} survived SIGKILL"
