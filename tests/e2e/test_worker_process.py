"""The worker process: graceful SIGTERM, and no Chromium left behind after any exit."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from starters.local.stack import WorkerProcess
from tests.e2e.processes import alive, command_line, descendants

pytestmark = pytest.mark.e2e


def _browsers_of(worker: WorkerProcess) -> set[int]:
    return {pid for pid in descendants(worker.pid) if "chrom" in command_line(pid)}


def _wait_gone(pids: set[int], seconds: float = 15.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


def test_sigterm_shuts_down_gracefully_and_closes_chromium(
    worker_process_factory: Callable[[], WorkerProcess],
) -> None:
    worker = worker_process_factory()
    browsers = _browsers_of(worker)
    assert browsers, "the worker should have launched Chromium at start"

    worker.stop()

    assert worker.process is not None and worker.process.returncode == 0
    assert "worker stopped" in worker.log_text()
    assert _wait_gone(browsers) == set()


def test_sigkill_leaves_no_chromium_behind(
    worker_process_factory: Callable[[], WorkerProcess],
) -> None:
    worker = worker_process_factory()
    browsers = _browsers_of(worker)
    assert browsers

    worker.kill()

    # Playwright's driver sees its pipe close and takes the browser down with it.
    assert _wait_gone(browsers) == set()
