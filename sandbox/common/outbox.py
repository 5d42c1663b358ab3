"""Texts and emails a sandbox portal "sends": one-time codes, kept in a table instead of a phone.

The outbox stands for the patient's phone and inbox. Only tests and the demo read it, through
each portal's admin API; BillBridge itself never does, because a real portal's codes reach a
person. A portal keeps the code it expects on its own pre-auth row; this module only writes
and reads the messages (the ``outbox`` table of ``SCHEMA``, which each portal's schema holds).
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from datetime import UTC, datetime
from typing import Any

from sandbox.common import clock

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    masked_destination TEXT NOT NULL,
    code TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""
CODE_DIGITS = 6
SMS = "sms"
EMAIL = "email"
_NOT_DIGITS = re.compile(r"\D")


def masked(channel: str, destination: str) -> str:
    """Enough for the patient to recognise: ``***-***-0112``, ``e***@example.com``."""
    if channel == EMAIL:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"***-***-{last_digits(destination)}"


def last_digits(phone: str, count: int = 4) -> str:
    return _NOT_DIGITS.sub("", phone)[-count:]


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def deliver(
    db: sqlite3.Connection,
    *,
    username: str,
    channel: str,
    destination: str,
    masked_destination: str,
    code: str,
    valid_seconds: float,
) -> float:
    """Put the message in the patient's phone or inbox; returns when the code stops working
    (epoch seconds), for the portal to keep beside the code it expects."""
    sent_at = clock.now(db)
    expires_at = sent_at + valid_seconds
    db.execute(
        "INSERT INTO outbox (username, channel, destination, masked_destination, code, sent_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (username, channel, destination, masked_destination, code, _iso(sent_at),
         _iso(expires_at)),
    )  # fmt: skip
    return expires_at


def messages(db: sqlite3.Connection, username: str | None = None) -> list[dict[str, Any]]:
    """Newest first, as a phone or an inbox shows them."""
    where, params = ("WHERE username = ?", (username,)) if username else ("", ())
    rows = db.execute(f"SELECT * FROM outbox {where} ORDER BY id DESC", params).fetchall()
    return [dict(row) for row in rows]


def clear(db: sqlite3.Connection) -> int:
    return db.execute("DELETE FROM outbox").rowcount


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
