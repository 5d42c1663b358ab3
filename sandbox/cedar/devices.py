"""Remembered devices: a browser that completed two-step verification with "Remember this
device" skips it on its next password sign-in, for the same patient only."""

from __future__ import annotations

import secrets
import sqlite3

from sandbox.common import clock

DEVICE_COOKIE = "cedar_device"
DEVICE_SECONDS = 90 * 24 * 3600


def remember(db: sqlite3.Connection, username: str) -> str:
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO devices VALUES (?, ?, ?)", (token, username, clock.now(db)))
    return token


def recognizes(db: sqlite3.Connection, token: str | None, username: str) -> bool:
    if not token:
        return False
    row = db.execute(
        "SELECT username, created_at FROM devices WHERE token = ?", (token,)
    ).fetchone()
    return (
        row is not None
        and secrets.compare_digest(row["username"].encode(), username.encode())
        and clock.now(db) - row["created_at"] < DEVICE_SECONDS
    )
