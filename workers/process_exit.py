"""Ending a process that used the Temporal client without a crash at interpreter exit.

The SDK's Rust core keeps native threads that can outlive the event loop; during CPython
finalization they may abort with "PyGILState_Release: thread state … must be current"
(temporalio/sdk-python#300), turning a successful run into exit code 134. Entry points
therefore flush everything and leave with ``os._exit``, skipping finalization on purpose.
The test runner does the same from ``pytest_unconfigure`` (see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe must not change the exit code.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
