"""Signing in: password check with lockout, TOTP step, and server-side sessions."""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum

from activities.portals.one_time_codes import Totp
from sandbox.cedar.db import transaction

MAX_FAILED_PASSWORDS = 5
MAX_FAILED_MFA = 5
PREAUTH_COOKIE = "cedar_preauth"
SESSION_COOKIE = "cedar_session"
PREAUTH_SECONDS = 300


class PasswordOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LOCKED = "locked"


class MfaOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXHAUSTED = "exhausted"  # too many wrong codes: start over at the password


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    username: str
    full_name: str


def check_password(db: sqlite3.Connection, username: str, password: str) -> PasswordOutcome:
    user = db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    if user is None:
        _record(db, username, "failed_password")
        return PasswordOutcome.REJECTED
    if user["locked"]:
        return PasswordOutcome.LOCKED
    accepted = user["magic"] != "wrong_password" and secrets.compare_digest(
        password.encode(), user["password"].encode()
    )
    if accepted:
        db.execute("UPDATE users SET failed_passwords = 0 WHERE username = ?", (username,))
        return PasswordOutcome.ACCEPTED
    _record(db, username, "failed_password")
    if user["magic"] is not None:  # magic users never lock
        return PasswordOutcome.REJECTED
    failures = user["failed_passwords"] + 1
    locked = failures >= MAX_FAILED_PASSWORDS
    db.execute(
        "UPDATE users SET failed_passwords = ?, locked = ? WHERE username = ?",
        (failures, int(locked), username),
    )
    return PasswordOutcome.LOCKED if locked else PasswordOutcome.REJECTED


def start_preauth(db: sqlite3.Connection, username: str) -> str:
    return _new_session(db, username, "preauth")


def check_code(db: sqlite3.Connection, preauth_id: str, code: str) -> tuple[MfaOutcome, str]:
    """Verify the TOTP code; on success the pre-auth becomes a full session (its id returned)."""
    row = _live_row(db, preauth_id, "preauth", PREAUTH_SECONDS)
    if row is None:
        return MfaOutcome.EXHAUSTED, ""
    secret = db.execute(
        "SELECT totp_secret FROM users WHERE username = ?", (row["username"],)
    ).fetchone()["totp_secret"]
    if code.isdigit() and Totp(secret).verify(code, valid_window=1):
        with transaction(db):
            db.execute("DELETE FROM sessions WHERE session_id = ?", (preauth_id,))
            session_id = _new_session(db, row["username"], "session")
            _record(db, row["username"], "successful")
        return MfaOutcome.ACCEPTED, session_id
    _record(db, row["username"], "failed_mfa")
    failures = row["mfa_failures"] + 1
    if failures >= MAX_FAILED_MFA:
        db.execute("DELETE FROM sessions WHERE session_id = ?", (preauth_id,))
        return MfaOutcome.EXHAUSTED, ""
    db.execute("UPDATE sessions SET mfa_failures = ? WHERE session_id = ?", (failures, preauth_id))
    return MfaOutcome.REJECTED, ""


def preauth_is_live(db: sqlite3.Connection, preauth_id: str | None) -> bool:
    return (
        bool(preauth_id) and _live_row(db, preauth_id or "", "preauth", PREAUTH_SECONDS) is not None
    )


def current_session(
    db: sqlite3.Connection, session_id: str | None, idle_seconds: float
) -> SessionInfo | None:
    """The live session for this cookie, its idle clock restarted; None if unknown or idle."""
    if not session_id:
        return None
    row = _live_row(db, session_id, "session", idle_seconds)
    if row is None:
        return None
    db.execute("UPDATE sessions SET last_seen = ? WHERE session_id = ?", (time.time(), session_id))
    name = db.execute(
        "SELECT full_name FROM users WHERE username = ?", (row["username"],)
    ).fetchone()["full_name"]
    return SessionInfo(session_id, row["username"], name)


def end_session(db: sqlite3.Connection, session_id: str | None) -> None:
    if session_id:
        db.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))


def expire_all_sessions(db: sqlite3.Connection) -> int:
    return db.execute("DELETE FROM sessions").rowcount


def login_counts(db: sqlite3.Connection) -> dict[str, object]:
    totals = {"successful": 0, "failed_password": 0, "failed_mfa": 0}
    by_user: dict[str, dict[str, int]] = {}
    for row in db.execute(
        "SELECT username, outcome, COUNT(*) AS n FROM login_events GROUP BY username, outcome"
    ):
        totals[row["outcome"]] += row["n"]
        per_user = by_user.setdefault(row["username"], dict.fromkeys(totals, 0))
        per_user[row["outcome"]] = row["n"]
    return {**totals, "by_user": by_user}


def _new_session(db: sqlite3.Connection, username: str, kind: str) -> str:
    session_id = secrets.token_urlsafe(24)
    db.execute(
        "INSERT INTO sessions (session_id, username, kind, last_seen) VALUES (?, ?, ?, ?)",
        (session_id, username, kind, time.time()),
    )
    return session_id


def _live_row(
    db: sqlite3.Connection, session_id: str, kind: str, max_idle: float
) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM sessions WHERE session_id = ? AND kind = ?", (session_id, kind)
    ).fetchone()
    if row is None or time.time() - row["last_seen"] > max_idle:
        return None
    return row


def _record(db: sqlite3.Connection, username: str, outcome: str) -> None:
    db.execute("INSERT INTO login_events VALUES (?, ?, ?)", (username, outcome, time.time()))
