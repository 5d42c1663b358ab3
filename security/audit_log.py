"""The audit trail: an append-only, hash-chained log of money moved and logins answered.

One JSON object per line. Each entry carries ``prev_hash`` (the previous entry's ``hash``)
and ``hash`` = HMAC-SHA256 over its own canonical JSON, keyed with the audit key from the
secret store, so nobody without the key can edit an entry and re-chain the rest. A head
file holds the last ``seq`` and ``hash`` (MAC'd too), so deleting the *last* lines is as
visible as deleting a middle one. Appends from several worker processes are serialized by
an ``fcntl`` lock on a file next to the log; an entry whose ``entry_id`` is already there is
not written again (a retried activity records once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from models.audit import AuditReceipt, AuditRecord
from models.connections import SecretRef
from models.settings import Settings
from stores.private_files import exclusive_lock, write_private
from stores.secrets import open_secret_store, secret_or_create

AUDIT_KEY_REF = SecretRef(ref="local:billbridge/audit-key")
GENESIS = "0" * 64
LOG_NAME = "audit.jsonl"
HEAD_NAME = "head.json"
LOCK_NAME = "audit.lock"

ProblemKind = Literal["edited", "deleted", "reordered", "truncated", "head"]


class AuditChainBroken(RuntimeError):
    """The log's end no longer matches its head: appending would hide the damage."""


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None  # the first entry that is wrong or missing
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    last_seq: int
    problem: ChainProblem | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **asdict(self)}


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class _Tail:
    """What this process has read of the log so far (appends read only what is new)."""

    offset: int = 0
    last: dict[str, Any] | None = None
    ids: dict[str, tuple[int, str]] | None = None
    partial: bool = False


class AuditLog:
    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        self._key = key
        self._tail = _Tail(ids={})
        self._threads = threading.Lock()

    @property
    def log_path(self) -> Path:
        return self.directory / LOG_NAME

    @property
    def head_path(self) -> Path:
        return self.directory / HEAD_NAME

    # --- MACs -----------------------------------------------------------------------------

    def _mac(self, data: bytes) -> str:
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def _entry_mac(self, entry: dict[str, Any]) -> str:
        return self._mac(canonical({k: v for k, v in entry.items() if k != "hash"}))

    def _head_mac(self, seq: int, last_hash: str) -> str:
        return self._mac(f"head|{seq}|{last_hash}".encode())

    def _valid(self, entry: dict[str, Any]) -> bool:
        return hmac.compare_digest(str(entry.get("hash", "")), self._entry_mac(entry))

    # --- appending ------------------------------------------------------------------------

    def append(self, record: AuditRecord) -> AuditReceipt:
        """Write ``record`` as the next entry, or return the entry already written for it."""
        with self._threads, locked(self.directory):
            self._catch_up()
            ids = self._tail.ids
            assert ids is not None
            if record.entry_id in ids:
                seq, entry_hash = ids[record.entry_id]
                return AuditReceipt(seq=seq, hash=entry_hash, already_recorded=True)
            prev_seq, prev_hash = self._chain_end()
            fields = record.model_dump(mode="json")
            fields["at"] = record.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            fields.update(seq=prev_seq + 1, prev_hash=prev_hash)
            fields["hash"] = self._entry_mac(fields)
            line = canonical(fields) + b"\n"
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            self._write_head(fields["seq"], fields["hash"])
            self._tail.offset += len(line)
            self._tail.last = fields
            ids[record.entry_id] = (fields["seq"], fields["hash"])
            return AuditReceipt(seq=fields["seq"], hash=fields["hash"], already_recorded=False)

    def _catch_up(self) -> None:
        """Read the lines other processes appended since this one last looked."""
        try:
            size = self.log_path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size < self._tail.offset:  # the log shrank: start over, verify will say why
            self._tail = _Tail(ids={})
        if size == self._tail.offset:
            return
        with self.log_path.open("rb") as log:
            log.seek(self._tail.offset)
            data = log.read()
        complete, _, rest = data.rpartition(b"\n")
        self._tail.partial = bool(rest)
        if not complete and not data.endswith(b"\n"):
            return
        assert self._tail.ids is not None
        for line in complete.split(b"\n"):
            try:
                entry = json.loads(line)
                self._tail.ids[str(entry["entry_id"])] = (int(entry["seq"]), str(entry["hash"]))
                self._tail.last = entry
            except (ValueError, KeyError, TypeError):
                continue  # an edited line: verify reports it; it cannot vouch for anything
        self._tail.offset += len(complete) + 1

    def _chain_end(self) -> tuple[int, str]:
        """The seq and hash the next entry links to: the head's, after an interrupted append
        is rolled forward. Refuses when the log's end cannot be trusted."""
        if self._tail.partial:
            raise AuditChainBroken("the audit log ends in an incomplete line; run audit verify")
        head = self._read_head()
        last = self._tail.last
        if head is None:
            if last is None:
                return 0, GENESIS
            raise AuditChainBroken("the audit head file is missing; run audit verify")
        seq, head_hash = head
        if (
            last is not None
            and last.get("seq") == seq + 1
            and last.get("prev_hash") == head_hash
            and self._valid(last)
        ):
            # Written, then the process died before the head moved: the MAC proves the line.
            self._write_head(seq + 1, str(last["hash"]))
            return seq + 1, str(last["hash"])
        return seq, head_hash

    def _read_head(self) -> tuple[int, str] | None:
        try:
            head = json.loads(self.head_path.read_text())
        except FileNotFoundError:
            return None
        except ValueError:
            raise AuditChainBroken("the audit head file is corrupt; run audit verify") from None
        seq, head_hash = int(head["seq"]), str(head["hash"])
        if not hmac.compare_digest(str(head.get("mac", "")), self._head_mac(seq, head_hash)):
            raise AuditChainBroken("the audit head file was edited; run audit verify")
        return seq, head_hash

    def _write_head(self, seq: int, last_hash: str) -> None:
        head = {"seq": seq, "hash": last_hash, "mac": self._head_mac(seq, last_hash)}
        write_private(self.head_path, canonical(head))

    # --- reading --------------------------------------------------------------------------

    def lines(self) -> list[bytes]:
        """The log's lines exactly as stored (an incomplete last line included)."""
        try:
            data = self.log_path.read_bytes()
        except FileNotFoundError:
            return []
        return [line for line in data.split(b"\n") if line]

    def entries(
        self, *, workflow_id: str | None = None, since: datetime | None = None
    ) -> Iterator[bytes]:
        """Stored lines for one workflow and/or from a time on; unreadable lines are kept
        (an export must not hide what verify would flag)."""
        for line in self.lines():
            try:
                entry = json.loads(line)
                at = datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00"))
            except (ValueError, KeyError, TypeError):
                yield line
                continue
            if workflow_id is not None and entry.get("workflow_id") != workflow_id:
                continue
            if since is not None and at < since:
                continue
            yield line

    def verify(self) -> ChainReport:
        """Walk the chain; the first entry edited, deleted or out of place, or a cut tail."""
        with self._threads, locked(self.directory):
            try:
                data = self.log_path.read_bytes()
            except FileNotFoundError:
                data = b""
            try:
                head_text: str | None = self.head_path.read_text()
            except FileNotFoundError:
                head_text = None
        return self._check(data, head_text)

    def _check(self, data: bytes, head_text: str | None) -> ChainReport:
        *lines, rest = data.split(b"\n")
        parsed: list[dict[str, Any] | None] = []
        for line in lines:
            try:
                entry = json.loads(line)
                parsed.append(entry if isinstance(entry, dict) else None)
            except ValueError:
                parsed.append(None)
        seqs = [entry.get("seq") if entry else None for entry in parsed]
        hashes: dict[int, str] = {}
        expected, prev_hash = 1, GENESIS

        def report(seq: int | None, kind: ProblemKind, message: str) -> ChainReport:
            return ChainReport(len(lines), expected - 1, ChainProblem(seq, kind, message))

        for number, entry in enumerate(parsed, start=1):
            if entry is None or not isinstance(entry.get("seq"), int):
                return report(expected, "edited", f"line {number} is not an audit entry")
            seq: int = entry["seq"]
            if not self._valid(entry):
                return report(seq, "edited", f"seq {seq} (line {number}) does not match its MAC")
            if seq > expected:
                if expected in seqs[number:]:
                    return report(expected, "reordered", f"seq {expected} comes after seq {seq}")
                gone = str(expected) if seq == expected + 1 else f"{expected}..{seq - 1}"
                return report(expected, "deleted", f"seq {gone} missing before seq {seq}")
            if seq < expected:
                return report(seq, "reordered", f"seq {seq} comes after seq {expected - 1}")
            if entry.get("prev_hash") != prev_hash:
                return report(seq, "edited", f"seq {seq} does not link to the entry before it")
            prev_hash = str(entry["hash"])
            hashes[seq] = prev_hash
            expected = seq + 1
        last_seq = expected - 1
        if rest:
            return report(expected, "truncated", "the last line is incomplete")
        if head_text is None:
            if lines:
                return report(None, "head", "the head file is missing")
            return ChainReport(0, 0)
        try:
            head = json.loads(head_text)
            head_seq, head_hash = int(head["seq"]), str(head["hash"])
            head_ok = hmac.compare_digest(str(head["mac"]), self._head_mac(head_seq, head_hash))
        except (ValueError, KeyError, TypeError):
            head_ok = False
        if not head_ok:
            return report(None, "head", "the head file was edited")
        if head_seq > last_seq:
            gone = str(head_seq) if head_seq == last_seq + 1 else f"{last_seq + 1}..{head_seq}"
            return report(last_seq + 1, "truncated", f"tail cut: seq {gone} deleted")
        if hashes.get(head_seq, GENESIS) != head_hash:
            return report(head_seq, "edited", f"seq {head_seq} is not the entry the head recorded")
        if head_seq == last_seq - 1:
            note = f"seq {last_seq} was written but the head not yet moved (interrupted append)"
            return ChainReport(len(lines), last_seq, note=note)
        if head_seq < last_seq:
            return report(head_seq + 1, "head", f"entries after seq {head_seq} are past the head")
        return ChainReport(len(lines), last_seq)


def locked(directory: Path) -> AbstractContextManager[None]:
    """Exclusive across processes (each worker appends through its own AuditLog)."""
    return exclusive_lock(directory / LOCK_NAME)


def open_audit_log(settings: Settings) -> AuditLog:
    """The audit log under ``settings.audit_dir``, keyed from the secret store.

    The key is made under the log's lock, so two workers starting together agree on it.
    """
    with locked(settings.audit_dir):
        key = secret_or_create(
            open_secret_store(settings), AUDIT_KEY_REF, lambda: secrets.token_hex(32)
        )
    return AuditLog(settings.audit_dir, bytes.fromhex(key))
