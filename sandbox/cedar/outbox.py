"""Texts and emails the portal "sends": one-time codes, kept in a table instead of a phone.

The outbox stands for the patient's phone and inbox. Only tests and the demo read it, through
the admin API; BillBridge itself never does, because a real portal's codes reach a person.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

CODE_DIGITS = 6
SMS = "sms"
EMAIL = "email"
_NOT_DIGITS = re.compile(r"\D")


def masked(channel: str, destination: str) -> str:
    """Enough for the patient to recognise: ``***-***-0112``, ``e***@example.com``."""
    if channel == EMAIL:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"***-***-{_NOT_DIGITS.sub('', destination)[-4:]}"


def send_code(
    db: sqlite3.Connection,
    preauth_id: str,
    username: str,
    channel: str,
    destination: str,
    valid_seconds: float,
) -> None:
    """A new code for this sign-in attempt; whatever code it had before stops working."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    sent_at = time.time()
    expires_at = sent_at + valid_seconds
    db.execute(
        "UPDATE sessions SET code = ?, code_expires_at = ? WHERE session_id = ?",
        (code, expires_at, preauth_id),
    )
    db.execute(
        "INSERT INTO outbox (username, channel, destination, masked_destination, code, sent_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            username,
            channel,
            destination,
            masked(channel, destination),
            code,
            _iso(sent_at),
            _iso(expires_at),
        ),
    )


def messages(db: sqlite3.Connection, username: str | None = None) -> list[dict[str, Any]]:
    """Newest first, as a phone or an inbox shows them."""
    where, params = ("WHERE username = ?", (username,)) if username else ("", ())
    rows = db.execute(f"SELECT * FROM outbox {where} ORDER BY id DESC", params).fetchall()
    return [dict(row) for row in rows]


def clear(db: sqlite3.Connection) -> int:
    return db.execute("DELETE FROM outbox").rowcount


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
