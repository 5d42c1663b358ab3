"""The console's own sessions, opened by a verified sign-in at Patientco ID.

Between the redirect to the identity provider and its answer, the console keeps the
sign-in's state, nonce and PKCE verifier server-side, bound to a browser cookie; several may
be pending at once (a browser restored from saved storage may start another), each usable once.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

from sandbox.common import clock

SESSION_COOKIE = "pco_console"
BROWSER_COOKIE = "pco_browser"
PENDING_SECONDS = 1800


@dataclass(frozen=True)
class StaffSession:
    session_id: str
    username: str
    full_name: str


@dataclass(frozen=True)
class PendingLogin:
    nonce: str
    code_verifier: str


def remember_pending(
    db: sqlite3.Connection, state: str, browser_id: str, nonce: str, code_verifier: str
) -> None:
    db.execute(
        "INSERT INTO pending_logins VALUES (?, ?, ?, ?, ?)",
        (state, browser_id, nonce, code_verifier, clock.now(db)),
    )


def take_pending(db: sqlite3.Connection, state: str, browser_id: str | None) -> PendingLogin | None:
    """The sign-in this callback answers, used up; None if unknown, stale or another browser's."""
    row = db.execute("SELECT * FROM pending_logins WHERE state = ?", (state,)).fetchone()
    if row is None or not browser_id:
        return None
    db.execute("DELETE FROM pending_logins WHERE state = ?", (state,))
    if not secrets.compare_digest(row["browser_id"].encode(), browser_id.encode()):
        return None
    if clock.now(db) - row["created_at"] > PENDING_SECONDS:
        return None
    return PendingLogin(row["nonce"], row["code_verifier"])


def start(db: sqlite3.Connection, username: str, full_name: str) -> StaffSession:
    session_id = secrets.token_urlsafe(24)
    db.execute(
        "INSERT INTO console_sessions VALUES (?, ?, ?, ?)",
        (session_id, username, full_name, clock.now(db)),
    )
    return StaffSession(session_id, username, full_name)


def current(
    db: sqlite3.Connection, session_id: str | None, idle_seconds: float
) -> StaffSession | None:
    """The live session for this cookie, its idle clock restarted; None if unknown or idle."""
    if not session_id:
        return None
    row = db.execute(
        "SELECT * FROM console_sessions WHERE session_id = ?", (session_id,)
    ).fetchone()
    if row is None or clock.now(db) - row["last_seen"] > idle_seconds:
        return None
    db.execute(
        "UPDATE console_sessions SET last_seen = ? WHERE session_id = ?",
        (clock.now(db), session_id),
    )
    return StaffSession(session_id, row["username"], row["full_name"])


def end(db: sqlite3.Connection, session_id: str | None) -> None:
    if session_id:
        db.execute("DELETE FROM console_sessions WHERE session_id = ?", (session_id,))


def expire_all(db: sqlite3.Connection) -> int:
    return db.execute("DELETE FROM console_sessions").rowcount
