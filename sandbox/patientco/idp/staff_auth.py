"""Staff sign-in at the identity provider: password with lockout, the code step, SSO sessions.

The same semantics as the Cedar sandbox's sign-in, so one adapter contract fits both: five
wrong passwords lock a regular login (magic logins never lock), a pending sign-in lives
server-side behind a cookie between the password and the code, five wrong codes end it, an
emailed code expires, "Trust this browser" skips the code next time for the same login.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum

from portals.one_time_codes import Totp
from sandbox.common import clock, outbox, passwords
from sandbox.common.login_events import record as _record
from sandbox.common.passwords import PasswordOutcome as PasswordOutcome
from sandbox.common.sqlite import transaction

MAX_FAILED_CODES = 5
PREAUTH_COOKIE = "pcoid_pending"
SSO_COOKIE = "pcoid_sso"
TRUSTED_COOKIE = "pcoid_trusted"
PREAUTH_SECONDS = 900  # long enough to read an email and type the code in
TRUSTED_SECONDS = 30 * 24 * 3600
TOTP = "totp"
EMAIL = outbox.EMAIL


class CodeOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"  # the emailed code is too old: send a new one
    EXHAUSTED = "exhausted"  # too many wrong codes: start over at the password
    NO_SIGN_IN = "no_sign_in"  # no live pending sign-in


@dataclass(frozen=True)
class Challenge:
    method: str  # "totp" | "email"
    masked_destination: str | None
    authorize_query: str  # the client's authorization request this sign-in will answer


def resolve_login(db: sqlite3.Connection, login: str) -> str | None:
    """The username for what was typed: the username itself or the work email."""
    row = db.execute(
        "SELECT username FROM staff WHERE username = ? OR lower(email) = lower(?)",
        (login.strip(), login.strip()),
    ).fetchone()
    return None if row is None else str(row["username"])


def check_password(db: sqlite3.Connection, username: str | None, password: str) -> PasswordOutcome:
    if not username:
        _record(db, username or "", "failed_password")
        return PasswordOutcome.REJECTED
    return passwords.check_password(db, "staff", username, password)


def start_pending(
    db: sqlite3.Connection, username: str, authorize_query: str, code_seconds: float
) -> str:
    """The password is right: open the code step (emailing a code to email-code staff)."""
    pending_id = secrets.token_urlsafe(24)
    with transaction(db):
        db.execute(
            "INSERT INTO idp_sessions (session_id, username, kind, last_seen, authorize_query) "
            "VALUES (?, ?, 'pending', ?, ?)",
            (pending_id, username, clock.now(db), authorize_query),
        )
        _send_code(db, pending_id, _user(db, username), code_seconds)
    return pending_id


def resend_code(db: sqlite3.Connection, pending_id: str | None, code_seconds: float) -> bool:
    row = _live(db, pending_id, "pending", PREAUTH_SECONDS)
    if row is None:
        return False
    with transaction(db):
        return _send_code(db, row["session_id"], _user(db, row["username"]), code_seconds)


def challenge(db: sqlite3.Connection, pending_id: str | None) -> Challenge | None:
    row = _live(db, pending_id, "pending", PREAUTH_SECONDS)
    if row is None:
        return None
    user = _user(db, row["username"])
    masked = outbox.masked(EMAIL, user["email"]) if user["mfa_method"] == EMAIL else None
    return Challenge(user["mfa_method"], masked, row["authorize_query"])


def check_code(db: sqlite3.Connection, pending_id: str | None, code: str) -> CodeOutcome:
    """Verify the code; on success the pending sign-in is gone (open the SSO session next)."""
    row = _live(db, pending_id, "pending", PREAUTH_SECONDS)
    if row is None:
        return CodeOutcome.NO_SIGN_IN
    user = _user(db, row["username"])
    if user["mfa_method"] == EMAIL:
        if row["code"] is None or clock.now(db) > row["code_expires_at"]:
            return CodeOutcome.EXPIRED
        accepted = secrets.compare_digest(code.encode(), row["code"].encode())
    else:
        accepted = code.isdigit() and Totp(user["totp_secret"]).verify(code, valid_window=1)
    if accepted:
        db.execute("DELETE FROM idp_sessions WHERE session_id = ?", (row["session_id"],))
        return CodeOutcome.ACCEPTED
    _record(db, row["username"], "failed_mfa")
    failures = row["mfa_failures"] + 1
    if failures >= MAX_FAILED_CODES:
        db.execute("DELETE FROM idp_sessions WHERE session_id = ?", (row["session_id"],))
        return CodeOutcome.EXHAUSTED
    db.execute("UPDATE idp_sessions SET mfa_failures = ? WHERE session_id = ?",
               (failures, row["session_id"]))  # fmt: skip
    return CodeOutcome.REJECTED


def start_sso(db: sqlite3.Connection, username: str) -> str:
    """A completed sign-in (code accepted, or a trusted browser skipped it)."""
    session_id = secrets.token_urlsafe(24)
    db.execute(
        "INSERT INTO idp_sessions (session_id, username, kind, last_seen, auth_time) "
        "VALUES (?, ?, 'sso', ?, ?)",
        # auth_time goes into the ID token, which Authlib stamps on wall time.
        (session_id, username, clock.now(db), time.time()),
    )
    _record(db, username, "successful")
    return session_id


def sso_user(
    db: sqlite3.Connection, session_id: str | None, idle_seconds: float
) -> tuple[str, int] | None:
    """(username, auth_time) of a live SSO session, its idle clock restarted."""
    row = _live(db, session_id, "sso", idle_seconds)
    if row is None:
        return None
    db.execute("UPDATE idp_sessions SET last_seen = ? WHERE session_id = ?",
               (clock.now(db), row["session_id"]))  # fmt: skip
    return str(row["username"]), int(row["auth_time"])


def end_session(db: sqlite3.Connection, session_id: str | None) -> None:
    if session_id:
        db.execute("DELETE FROM idp_sessions WHERE session_id = ?", (session_id,))


def trust_browser(db: sqlite3.Connection, username: str) -> str:
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO trusted_browsers VALUES (?, ?, ?)", (token, username, clock.now(db)))
    return token


def is_trusted(db: sqlite3.Connection, token: str | None, username: str) -> bool:
    if not token:
        return False
    row = db.execute(
        "SELECT username, created_at FROM trusted_browsers WHERE token = ?", (token,)
    ).fetchone()
    return (
        row is not None
        and secrets.compare_digest(row["username"].encode(), username.encode())
        and clock.now(db) - row["created_at"] < TRUSTED_SECONDS
    )


def user(db: sqlite3.Connection, username: str) -> sqlite3.Row | None:
    return _user(db, username)


def expire_all(db: sqlite3.Connection) -> int:
    return db.execute("DELETE FROM idp_sessions WHERE kind = 'sso'").rowcount


def _send_code(
    db: sqlite3.Connection, pending_id: str, user: sqlite3.Row, code_seconds: float
) -> bool:
    if user["mfa_method"] != EMAIL:
        return False
    code = outbox.new_code()
    expires_at = outbox.deliver(
        db, username=user["username"], channel=EMAIL, destination=user["email"],
        masked_destination=outbox.masked(EMAIL, user["email"]), code=code,
        valid_seconds=code_seconds,
    )  # fmt: skip
    db.execute(
        "UPDATE idp_sessions SET code = ?, code_expires_at = ? WHERE session_id = ?",
        (code, expires_at, pending_id),
    )
    _record(db, user["username"], "mfa_code_sent")
    return True


def _user(db: sqlite3.Connection, username: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM staff WHERE username = ?", (username,)
    ).fetchone()
    return row


def _live(
    db: sqlite3.Connection, session_id: str | None, kind: str, max_idle: float
) -> sqlite3.Row | None:
    if not session_id:
        return None
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM idp_sessions WHERE session_id = ? AND kind = ?", (session_id, kind)
    ).fetchone()
    if row is None or clock.now(db) - row["last_seen"] > max_idle:
        return None
    return row
