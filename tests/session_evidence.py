"""What the test session saw, kept for the final "no PHI in the clear" scan
(tests/e2e/test_no_phi_in_clear.py): the one-time codes the tests read, the output of every
``billbridge`` command they ran, the demo's directories, and every log record of this process.

``tests/conftest.py`` starts the recording once per session (``start``); until then, and
outside pytest, every ``remember_…`` does nothing but keep the value in memory.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

# Loggers whose records this process writes in production too; recorded from DEBUG up.
_BILLBRIDGE_LOGGERS = ("activities", "workflows", "workers", "starters", "security", "models",
                       "billbridge", "temporalio.workflow", "temporalio.activity")  # fmt: skip
IN_PROCESS_LOG = "in-process.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_codes: set[str] = set()
_demo_dirs: list[Path] = []
_directory: Path | None = None
_outputs = itertools.count(1)


def start(directory: Path) -> logging.Handler:
    """Record into ``directory``: every log record of this process goes to one file there.

    Returns the handler so the caller can remove it at the end of the session.
    """
    global _directory
    _directory = directory
    directory.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(directory / IN_PROCESS_LOG, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    # Exceptions too: the formatter appends tracebacks, which are part of what a log keeps.
    handler.setFormatter(logging.Formatter(_FORMAT))
    logging.getLogger().addHandler(handler)
    for name in _BILLBRIDGE_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() > logging.DEBUG:
            logger.setLevel(logging.DEBUG)
    return handler


def directory() -> Path | None:
    return _directory


_CODE = re.compile(r"\d{4,10}")


def remember_code(code: str) -> None:
    """A one-time code a test read from a sandbox's outbox (the patient's phone or inbox)."""
    if _CODE.fullmatch(code.strip()):
        _codes.add(code.strip())


def codes() -> frozenset[str]:
    return frozenset(_codes)


def remember_output(command: str, output: str) -> None:
    """What a ``billbridge`` command printed, as the person running it saw it."""
    if _directory is None:
        return
    name = re.sub(r"[^\w.-]+", "-", command)[:40]
    (_directory / f"output-{next(_outputs):04d}-{name}.txt").write_text(output, encoding="utf-8")


def outputs() -> Iterator[Path]:
    if _directory is not None:
        yield from sorted(_directory.glob("output-*.txt"))


def remember_demo(directory: Path) -> None:
    """A demo run's tmp dir: its BillBridge home, its data dir (logs, Temporal's SQLite)."""
    _demo_dirs.append(directory)


def demo_dirs() -> list[Path]:
    return list(_demo_dirs)
