"""Texts and emails the Cedar portal "sends": one-time codes, in the shared outbox table.

The outbox stands for the patient's phone and inbox (``sandbox.common.outbox``). Only tests
and the demo read it, through the admin API; BillBridge itself never does, because a real
portal's codes reach a person.
"""

from __future__ import annotations

import sqlite3

from sandbox.common.outbox import (
    CODE_DIGITS,
    EMAIL,
    SMS,
    clear,
    deliver,
    masked,
    messages,
    new_code,
)

__all__ = ["CODE_DIGITS", "EMAIL", "SMS", "clear", "masked", "messages", "send_code"]


def send_code(
    db: sqlite3.Connection,
    preauth_id: str,
    username: str,
    channel: str,
    destination: str,
    valid_seconds: float,
) -> None:
    """A new code for this sign-in attempt; whatever code it had before stops working."""
    code = new_code()
    expires_at = deliver(
        db, username=username, channel=channel, destination=destination,
        masked_destination=masked(channel, destination), code=code, valid_seconds=valid_seconds,
    )  # fmt: skip
    db.execute(
        "UPDATE sessions SET code = ?, code_expires_at = ? WHERE session_id = ?",
        (code, expires_at, preauth_id),
    )
