"""The Cedar sandbox's SQLite database: schema and seeding."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sandbox.cedar.seed import SeedUser, seed_users
from sandbox.common import autopay, clock, outbox
from sandbox.common.sqlite import open_database, transaction

logger = logging.getLogger(__name__)

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password TEXT NOT NULL,
    totp_secret TEXT NOT NULL,
    full_name TEXT NOT NULL,
    magic TEXT,
    mfa_method TEXT NOT NULL DEFAULT 'totp',
    phone TEXT,
    email TEXT,
    failed_passwords INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS cards (
    token TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'card',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS statements (
    statement_id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    account_number TEXT NOT NULL,
    statement_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    balance_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS line_items (
    statement_id TEXT NOT NULL REFERENCES statements(statement_id),
    position INTEGER NOT NULL,
    service_date TEXT NOT NULL,
    code TEXT NOT NULL,
    code_system TEXT NOT NULL,
    description TEXT NOT NULL,
    charge_cents INTEGER NOT NULL,
    patient_cents INTEGER NOT NULL,
    PRIMARY KEY (statement_id, position)
);
CREATE TABLE IF NOT EXISTS payments (
    confirmation_number TEXT PRIMARY KEY,
    statement_id TEXT NOT NULL REFERENCES statements(statement_id),
    username TEXT NOT NULL REFERENCES users(username),
    amount_cents INTEGER NOT NULL,
    reference TEXT NOT NULL,
    card_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    charge_id TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    last_seen REAL NOT NULL,
    mfa_failures INTEGER NOT NULL DEFAULT 0,
    code TEXT,
    code_expires_at REAL
);
CREATE TABLE IF NOT EXISTS login_events (
    username TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    token TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""
    + outbox.SCHEMA
    + clock.SCHEMA
    + autopay.SCHEMA
)
# Bumped with every schema change: an older database file is rebuilt and re-seeded.
SCHEMA_VERSION = 6
_TABLES = (*autopay.TABLES, "payments", "line_items", "statements", "cards", "sessions",
           "login_events", "outbox", "devices", "users", "meta", clock.TABLE)  # fmt: skip


def connect(path: Path) -> sqlite3.Connection:
    return open_database(path, SCHEMA, SCHEMA_VERSION)


def is_seeded(connection: sqlite3.Connection) -> bool:
    count: int = connection.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    return count > 0


def reseed(connection: sqlite3.Connection, seed: int, patients: int) -> None:
    """Drop every row (ledger, sessions, counters included) and load the seed again."""
    users = seed_users(seed, patients)
    with transaction(connection):
        for table in _TABLES:
            connection.execute(f"DELETE FROM {table}")
        for user in users:
            _insert_user(connection, user)
        connection.execute("INSERT INTO meta VALUES ('seed', ?)", (str(seed),))
    logger.info("Seeded Cedar sandbox: seed=%s, %d users", seed, len(users))


def _insert_user(connection: sqlite3.Connection, user: SeedUser) -> None:
    connection.execute(
        "INSERT INTO users (username, password, totp_secret, full_name, magic, mfa_method, "
        "phone, email, locked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (user.username, user.password, user.totp_secret, user.full_name, user.magic,
         user.mfa_method, user.phone, user.email, int(user.magic == "locked")),
    )  # fmt: skip
    for position, card in enumerate(user.cards):
        connection.execute(
            "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?)",
            (card.token, user.username, card.brand, card.last4, card.kind, position),
        )
    for statement in user.statements:
        connection.execute(
            "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?)",
            (statement.statement_id, user.username, statement.account_number,
             statement.statement_date.isoformat(), statement.due_date.isoformat(),
             statement.total_cents, statement.total_cents),
        )  # fmt: skip
        for position, item in enumerate(statement.line_items):
            connection.execute(
                "INSERT INTO line_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (statement.statement_id, position, item.service_date.isoformat(), item.code,
                 item.code_system, item.description, item.charge_cents, item.patient_cents),
            )  # fmt: skip
