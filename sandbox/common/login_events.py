"""Every sign-in attempt a sandbox portal saw, in its ``login_events`` table
(username, outcome, at): the ground truth behind the admin API's ``GET /logins``.

Outcomes: ``successful``, ``failed_password``, ``failed_mfa`` and a code sent (recorded as
``mfa_code_sent`` by Cedar and Patientco ID, ``mfa_codes_sent`` by HealthPay24).
"""

from __future__ import annotations

import sqlite3

from sandbox.common import clock

_COUNTED_AS = {"mfa_code_sent": "mfa_codes_sent"}


def record(db: sqlite3.Connection, username: str, outcome: str) -> None:
    db.execute("INSERT INTO login_events VALUES (?, ?, ?)", (username, outcome, clock.now(db)))


def login_counts(db: sqlite3.Connection) -> dict[str, object]:
    """Totals per outcome, and the same per username (``SandboxAdmin.logins``)."""
    totals = {"successful": 0, "failed_password": 0, "failed_mfa": 0, "mfa_codes_sent": 0}
    by_user: dict[str, dict[str, int]] = {}
    for row in db.execute(
        "SELECT username, outcome, COUNT(*) AS n FROM login_events GROUP BY username, outcome"
    ):
        key = _COUNTED_AS.get(row["outcome"], row["outcome"])
        totals[key] += row["n"]
        by_user.setdefault(row["username"], dict.fromkeys(totals, 0))[key] = row["n"]
    return {**totals, "by_user": by_user}
