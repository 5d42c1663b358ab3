"""The processor's SQLite database: charges, refunds and hosted-fields checkout sessions.

No card number is ever stored: a charge names its token and the token names a test
instrument (see ``tokens``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sandbox.common.sqlite import open_database, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS charges (
    charge_id TEXT PRIMARY KEY,
    merchant TEXT NOT NULL,
    token TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    decline_code TEXT,
    kind TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (merchant, idempotency_key)
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id TEXT PRIMARY KEY,
    charge_id TEXT NOT NULL REFERENCES charges(charge_id),
    amount_cents INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkout_sessions (
    session_id TEXT PRIMARY KEY,
    merchant TEXT NOT NULL,
    parent_origin TEXT NOT NULL,
    saved_tokens TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    confirmed_token TEXT
);
"""
SCHEMA_VERSION = 1
_TABLES = ("refunds", "charges", "checkout_sessions")


def connect(path: Path) -> sqlite3.Connection:
    return open_database(path, SCHEMA, SCHEMA_VERSION)


def clear(connection: sqlite3.Connection) -> None:
    with transaction(connection):
        for table in _TABLES:
            connection.execute(f"DELETE FROM {table}")
