"""The event log: one JSON line per event, appended once per event id.

A file under the BillBridge home, locked across processes like the audit log, so several
workers on one host append to the same log. Readers (the CLI, the coming webhook sender)
read it whole; it holds no secrets or patient data, only ids and amounts.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from models.events import Event, EventType
from stores.private_files import exclusive_lock


class EventLog:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    @property
    def path(self) -> Path:
        return self._directory / "events.jsonl"

    def append(self, event: Event) -> bool:
        """Append unless an event with this id is already there; True if written."""
        with self._locked():
            if any(known.id == event.id for known in self._read()):
                return False
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a+b") as handle:
                # After a line cut short by a crash, start on a line of our own.
                cut_short = handle.tell() > 0 and _last_byte(handle) != b"\n"
                handle.write((b"\n" if cut_short else b"") + event.model_dump_json().encode())
                handle.write(b"\n")
            return True

    def events(self, type: EventType | None = None) -> list[Event]:
        with self._locked():
            return [event for event in self._read() if type is None or event.type is type]

    def _read(self) -> list[Event]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        # A line cut short by a crash mid-append is not an event; the next append follows it.
        return [Event.model_validate_json(line) for line in lines if _complete(line)]

    def _locked(self) -> AbstractContextManager[None]:
        return exclusive_lock(self._directory / "events.lock")


def _last_byte(handle: BinaryIO) -> bytes:
    handle.seek(-1, os.SEEK_END)
    return handle.read(1)


def _complete(line: str) -> bool:
    return line.startswith("{") and line.endswith("}")
