"""Signing in: User ID and password with lockout, then a security code, then a session.

The security code comes from an authenticator app (TOTP) or a text message (SMS), per login.
Between the password and the code a patient holds a pre-auth: a server-side row named by a
cookie, so a browser whose cookies are saved after the password step and restored later (in
another browser context) can still finish the sign-in while the pre-auth lives. The same
semantics as the Cedar sandbox, so one adapter contract fits both.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from portals.one_time_codes import Totp
from sandbox.common import clock, outbox, passwords
from sandbox.common.login_events import record as _record
from sandbox.common.passwords import PasswordOutcome as PasswordOutcome
from sandbox.common.sqlite import transaction

MAX_FAILED_CODES = 5
PREAUTH_COOKIE = "hp24_preauth"
SESSION_COOKIE = "hp24_session"
DEVICE_COOKIE = "hp24_trusted_device"
# Long enough for a person to read a text message and type the code in.
PREAUTH_SECONDS = 900
DEVICE_SECONDS = 30 * 24 * 3600  # "Remember this device for 30 days"
TOTP = "totp"
SMS = outbox.SMS


class CodeOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"  # the texted code is too old: text a new one
    EXHAUSTED = "exhausted"  # too many wrong codes: start over at the password
    NO_SIGN_IN = "no_sign_in"  # no live pre-auth: unknown, finished or timed out


@dataclass(frozen=True)
class Patient:
    """Who a live session belongs to."""

    session_id: str
    username: str
    full_name: str


@dataclass(frozen=True)
class Challenge:
    method: str  # "totp" | "sms"
    masked_phone: str | None


def masked_phone(phone: str) -> str:
    """How HealthPay24 shows a phone number: ``(***) ***-0112``."""
    return f"(***) ***-{outbox.last_digits(phone)}"


def check_password(db: sqlite3.Connection, username: str, password: str) -> PasswordOutcome:
    return passwords.check_password(db, "logins", username, password)


def start_preauth(db: sqlite3.Connection, username: str, code_seconds: float) -> str:
    """The password is right: open the code step, texting a code to SMS patients."""
    with transaction(db):
        preauth_id = _new_row(db, username, "preauth")
        _text_code(db, preauth_id, username, code_seconds)
    return preauth_id


def resend_code(db: sqlite3.Connection, preauth_id: str | None, code_seconds: float) -> bool:
    """Text a fresh code (the previous one stops working); False if nothing can be resent."""
    row = _live(db, preauth_id, "preauth", PREAUTH_SECONDS)
    if row is None:
        return False
    with transaction(db):
        return _text_code(db, row["session_id"], row["username"], code_seconds)


def challenge(db: sqlite3.Connection, preauth_id: str | None) -> Challenge | None:
    """What this pre-auth waits for; None if there is no live pre-auth."""
    row = _live(db, preauth_id, "preauth", PREAUTH_SECONDS)
    if row is None:
        return None
    login = _login(db, row["username"])
    assert login is not None
    if login["mfa_method"] == SMS:
        return Challenge(SMS, masked_phone(login["phone"]))
    return Challenge(TOTP, None)


def check_code(
    db: sqlite3.Connection, preauth_id: str | None, code: str
) -> tuple[CodeOutcome, Patient | None]:
    """Verify the code; on success the pre-auth becomes a session, which is returned."""
    row = _live(db, preauth_id, "preauth", PREAUTH_SECONDS)
    if row is None:
        return CodeOutcome.NO_SIGN_IN, None
    login = _login(db, row["username"])
    assert login is not None
    if login["mfa_method"] == SMS:
        if row["code"] is None or clock.now(db) > row["code_expires_at"]:
            return CodeOutcome.EXPIRED, None
        accepted = secrets.compare_digest(code.encode(), row["code"].encode())
    else:
        accepted = code.isdigit() and Totp(login["totp_secret"]).verify(code, valid_window=1)
    if accepted:
        with transaction(db):
            db.execute("DELETE FROM sessions WHERE session_id = ?", (row["session_id"],))
            patient = start_session(db, row["username"])
        return CodeOutcome.ACCEPTED, patient
    _record(db, row["username"], "failed_mfa")
    failures = row["mfa_failures"] + 1
    if failures >= MAX_FAILED_CODES:
        db.execute("DELETE FROM sessions WHERE session_id = ?", (row["session_id"],))
        return CodeOutcome.EXHAUSTED, None
    db.execute(
        "UPDATE sessions SET mfa_failures = ? WHERE session_id = ?", (failures, row["session_id"])
    )
    return CodeOutcome.REJECTED, None


def start_session(db: sqlite3.Connection, username: str) -> Patient:
    """A completed sign-in (code accepted, or a trusted device skipped the code)."""
    session_id = _new_row(db, username, "session")
    _record(db, username, "successful")
    login = _login(db, username)
    assert login is not None
    return Patient(session_id, username, login["full_name"])


def current_patient(
    db: sqlite3.Connection, session_id: str | None, idle_seconds: float
) -> Patient | None:
    """The live session for this cookie, its idle clock restarted; None if unknown or idle."""
    row = _live(db, session_id, "session", idle_seconds)
    if row is None:
        return None
    db.execute(
        "UPDATE sessions SET last_seen = ? WHERE session_id = ?", (clock.now(db), row["session_id"])
    )
    login = _login(db, row["username"])
    assert login is not None
    return Patient(row["session_id"], row["username"], login["full_name"])


def end_session(db: sqlite3.Connection, session_id: str | None) -> None:
    if session_id:
        db.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))


def expire_all_sessions(db: sqlite3.Connection) -> int:
    return db.execute("DELETE FROM sessions").rowcount


def trust_device(db: sqlite3.Connection, username: str) -> str:
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO devices VALUES (?, ?, ?)", (token, username, clock.now(db)))
    return token


def device_is_trusted(db: sqlite3.Connection, token: str | None, username: str) -> bool:
    """A browser that finished the code step with "Remember this device", for this login."""
    if not token:
        return False
    row = db.execute("SELECT * FROM devices WHERE token = ?", (token,)).fetchone()
    return (
        row is not None
        and secrets.compare_digest(row["username"].encode(), username.encode())
        and clock.now(db) - row["created_at"] < DEVICE_SECONDS
    )


def _text_code(db: sqlite3.Connection, preauth_id: str, username: str, seconds: float) -> bool:
    login = _login(db, username)
    if login is None or login["mfa_method"] != SMS:
        return False
    code = outbox.new_code()
    expires_at = outbox.deliver(
        db, username=username, channel=SMS, destination=login["phone"],
        masked_destination=masked_phone(login["phone"]), code=code, valid_seconds=seconds,
    )  # fmt: skip
    db.execute(
        "UPDATE sessions SET code = ?, code_expires_at = ? WHERE session_id = ?",
        (code, expires_at, preauth_id),
    )
    _record(db, username, "mfa_codes_sent")
    return True


def _new_row(db: sqlite3.Connection, username: str, kind: str) -> str:
    session_id = secrets.token_urlsafe(24)
    db.execute(
        "INSERT INTO sessions (session_id, username, kind, last_seen) VALUES (?, ?, ?, ?)",
        (session_id, username, kind, clock.now(db)),
    )
    return session_id


def _login(db: sqlite3.Connection, username: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM logins WHERE username = ?", (username,)
    ).fetchone()
    return row


def _live(
    db: sqlite3.Connection, session_id: str | None, kind: str, max_idle: float
) -> sqlite3.Row | None:
    if not session_id:
        return None
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM sessions WHERE session_id = ? AND kind = ?", (session_id, kind)
    ).fetchone()
    if row is None or clock.now(db) - row["last_seen"] > max_idle:
        return None
    return row
