"""The password step every sandbox sign-in shares: lockout after five wrong passwords.

A regular login locks on the fifth wrong password in a row and unlocks only on reset; a right
password clears the count. Magic logins never lock, and ``wrong_password`` rejects whatever
is typed. Every rejection is a ``failed_password`` login event.
"""

from __future__ import annotations

import secrets
import sqlite3
from enum import StrEnum

from sandbox.common.login_events import record

MAX_FAILED_PASSWORDS = 5


class PasswordOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LOCKED = "locked"


def set_password(db: sqlite3.Connection, table: str, username: str, password: str) -> bool:
    """Change a password as if the user did it elsewhere; False for an unknown login."""
    changed = db.execute(
        f"UPDATE {table} SET password = ? WHERE username = ?", (password, username)
    ).rowcount
    return changed > 0


def check_password(
    db: sqlite3.Connection, table: str, username: str, password: str
) -> PasswordOutcome:
    """``table`` holds the logins (username, password, magic, locked, failed_passwords)."""
    login = db.execute(f"SELECT * FROM {table} WHERE username = ?", (username,)).fetchone()
    if login is None:
        record(db, username, "failed_password")
        return PasswordOutcome.REJECTED
    if login["locked"]:
        return PasswordOutcome.LOCKED
    accepted = login["magic"] != "wrong_password" and secrets.compare_digest(
        password.encode(), login["password"].encode()
    )
    if accepted:
        db.execute(f"UPDATE {table} SET failed_passwords = 0 WHERE username = ?", (username,))
        return PasswordOutcome.ACCEPTED
    record(db, username, "failed_password")
    if login["magic"] is not None:  # magic logins never lock
        return PasswordOutcome.REJECTED
    failures = login["failed_passwords"] + 1
    locked = failures >= MAX_FAILED_PASSWORDS
    db.execute(
        f"UPDATE {table} SET failed_passwords = ?, locked = ? WHERE username = ?",
        (failures, int(locked), username),
    )
    return PasswordOutcome.LOCKED if locked else PasswordOutcome.REJECTED
