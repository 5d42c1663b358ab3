"""Signing in: password check with lockout, the TOTP, SMS or email code step, sessions.

Between the password and the code a patient holds a pre-auth: a server-side row named by a
cookie, so a browser whose cookies are saved after the password step and restored later (in
another browser context) can still finish the sign-in while the pre-auth lives.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from portals.one_time_codes import Totp
from sandbox.cedar import outbox
from sandbox.common import clock, passwords
from sandbox.common.login_events import record as _record
from sandbox.common.passwords import PasswordOutcome as PasswordOutcome
from sandbox.common.sqlite import transaction

MAX_FAILED_MFA = 5
PREAUTH_COOKIE = "cedar_preauth"
SESSION_COOKIE = "cedar_session"
# Long enough for a person to read a text message or an email and type the code in.
PREAUTH_SECONDS = 900
TOTP = "totp"
SMS = outbox.SMS
EMAIL = outbox.EMAIL
SENT_CODE_METHODS = (SMS, EMAIL)  # codes the portal sends, as opposed to an app's


class MfaOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"  # the sent code is too old: send a new one
    EXHAUSTED = "exhausted"  # too many wrong codes: start over at the password
    NO_SIGN_IN = "no_sign_in"  # no live pre-auth: unknown, finished or timed out


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    username: str
    full_name: str


@dataclass(frozen=True)
class Challenge:
    """What the verification screen asks for: an authenticator code or a sent one."""

    method: str
    masked_destination: str | None


def check_password(db: sqlite3.Connection, username: str, password: str) -> PasswordOutcome:
    return passwords.check_password(db, "users", username, password)


def start_preauth(db: sqlite3.Connection, username: str, code_seconds: float) -> str:
    """The password is right: open the code step, sending a code to SMS and email patients."""
    with transaction(db):
        preauth_id = _new_session(db, username, "preauth")
        _send_code(db, preauth_id, _user(db, username), code_seconds)
    return preauth_id


def resend_code(db: sqlite3.Connection, preauth_id: str | None, code_seconds: float) -> bool:
    """Send a fresh code (the previous one stops working); False if there is nothing to resend."""
    row = _live_row(db, preauth_id or "", "preauth", PREAUTH_SECONDS) if preauth_id else None
    if row is None:
        return False
    with transaction(db):
        return _send_code(db, row["session_id"], _user(db, row["username"]), code_seconds)


def challenge(db: sqlite3.Connection, preauth_id: str | None) -> Challenge | None:
    """The code this pre-auth waits for; None if there is no live pre-auth."""
    row = _live_row(db, preauth_id or "", "preauth", PREAUTH_SECONDS) if preauth_id else None
    if row is None:
        return None
    user = _user(db, row["username"])
    method = user["mfa_method"]
    if method in SENT_CODE_METHODS:
        return Challenge(method, outbox.masked(method, _destination(user)))
    return Challenge(TOTP, None)


def check_code(
    db: sqlite3.Connection, preauth_id: str, code: str
) -> tuple[MfaOutcome, SessionInfo | None]:
    """Verify the code; on success the pre-auth becomes a full session, which is returned."""
    row = _live_row(db, preauth_id, "preauth", PREAUTH_SECONDS) if preauth_id else None
    if row is None:
        return MfaOutcome.NO_SIGN_IN, None
    user = _user(db, row["username"])
    if user["mfa_method"] in SENT_CODE_METHODS:
        if row["code"] is None or clock.now(db) > row["code_expires_at"]:
            return MfaOutcome.EXPIRED, None
        accepted = secrets.compare_digest(code.encode(), row["code"].encode())
    else:
        accepted = code.isdigit() and Totp(user["totp_secret"]).verify(code, valid_window=1)
    if accepted:
        with transaction(db):
            db.execute("DELETE FROM sessions WHERE session_id = ?", (preauth_id,))
            session = start_session(db, row["username"])
        return MfaOutcome.ACCEPTED, session
    _record(db, row["username"], "failed_mfa")
    failures = row["mfa_failures"] + 1
    if failures >= MAX_FAILED_MFA:
        db.execute("DELETE FROM sessions WHERE session_id = ?", (preauth_id,))
        return MfaOutcome.EXHAUSTED, None
    db.execute("UPDATE sessions SET mfa_failures = ? WHERE session_id = ?", (failures, preauth_id))
    return MfaOutcome.REJECTED, None


def start_session(db: sqlite3.Connection, username: str) -> SessionInfo:
    """A completed sign-in (code accepted, or a remembered device skipped the code)."""
    session_id = _new_session(db, username, "session")
    _record(db, username, "successful")
    return SessionInfo(session_id, username, _user(db, username)["full_name"])


def preauth_is_live(db: sqlite3.Connection, preauth_id: str | None) -> bool:
    return challenge(db, preauth_id) is not None


def current_session(
    db: sqlite3.Connection, session_id: str | None, idle_seconds: float
) -> SessionInfo | None:
    """The live session for this cookie, its idle clock restarted; None if unknown or idle."""
    if not session_id:
        return None
    row = _live_row(db, session_id, "session", idle_seconds)
    if row is None:
        return None
    db.execute(
        "UPDATE sessions SET last_seen = ? WHERE session_id = ?", (clock.now(db), session_id)
    )
    name = db.execute(
        "SELECT full_name FROM users WHERE username = ?", (row["username"],)
    ).fetchone()["full_name"]
    return SessionInfo(session_id, row["username"], name)


def end_session(db: sqlite3.Connection, session_id: str | None) -> None:
    if session_id:
        db.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))


def expire_all_sessions(db: sqlite3.Connection) -> int:
    return db.execute("DELETE FROM sessions").rowcount


def _send_code(
    db: sqlite3.Connection, preauth_id: str, user: sqlite3.Row, code_seconds: float
) -> bool:
    method = user["mfa_method"]
    if method not in SENT_CODE_METHODS:
        return False
    outbox.send_code(db, preauth_id, user["username"], method, _destination(user), code_seconds)
    _record(db, user["username"], "mfa_code_sent")
    return True


def _destination(user: sqlite3.Row) -> str:
    address: str = user["email"] if user["mfa_method"] == EMAIL else user["phone"]
    return address


def _new_session(db: sqlite3.Connection, username: str, kind: str) -> str:
    session_id = secrets.token_urlsafe(24)
    db.execute(
        "INSERT INTO sessions (session_id, username, kind, last_seen) VALUES (?, ?, ?, ?)",
        (session_id, username, kind, clock.now(db)),
    )
    return session_id


def _user(db: sqlite3.Connection, username: str) -> sqlite3.Row:
    row: sqlite3.Row = db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    return row


def _live_row(
    db: sqlite3.Connection, session_id: str, kind: str, max_idle: float
) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM sessions WHERE session_id = ? AND kind = ?", (session_id, kind)
    ).fetchone()
    if row is None or clock.now(db) - row["last_seen"] > max_idle:
        return None
    return row
