"""The HealthPay24 sandbox's SQLite database: schema and seeding."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sandbox.common import autopay, clock, outbox
from sandbox.common.cutoff import keep_clear_of
from sandbox.common.sqlite import open_database, transaction
from sandbox.healthpay24 import portal_calendar, refunds, settlement
from sandbox.healthpay24.seed import SeedAccount, SeedLogin, seed_logins

logger = logging.getLogger(__name__)

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logins (
    username TEXT PRIMARY KEY,
    password TEXT NOT NULL,
    totp_secret TEXT NOT NULL,
    holder_id TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    magic TEXT,
    mfa_method TEXT NOT NULL,
    phone TEXT,
    failed_passwords INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS accounts (
    account_number TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES logins(username),
    patient_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'Open',
    autopay INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS encounters (
    encounter_id TEXT PRIMARY KEY,
    account_number TEXT NOT NULL REFERENCES accounts(account_number),
    visit_date TEXT NOT NULL,
    facility TEXT NOT NULL,
    department TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS statements (
    statement_id TEXT PRIMARY KEY,
    account_number TEXT NOT NULL REFERENCES accounts(account_number),
    encounter_id TEXT NOT NULL REFERENCES encounters(encounter_id),
    statement_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    balance_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS charges (
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
CREATE TABLE IF NOT EXISTS wallet (
    token TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES logins(username),
    position INTEGER NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS estimates (
    estimate_id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES logins(username),
    account_number TEXT NOT NULL REFERENCES accounts(account_number),
    service_date TEXT NOT NULL,
    facility TEXT NOT NULL,
    status TEXT NOT NULL,
    deposit_cents INTEGER NOT NULL,
    encounter_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS estimate_lines (
    estimate_id TEXT NOT NULL REFERENCES estimates(estimate_id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    code_system TEXT NOT NULL,
    description TEXT NOT NULL,
    expected_charge_cents INTEGER NOT NULL,
    patient_cents INTEGER NOT NULL,
    PRIMARY KEY (estimate_id, position)
);
CREATE TABLE IF NOT EXISTS checkouts (
    checkout_id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    statement_id TEXT NOT NULL REFERENCES statements(statement_id),
    amount_cents INTEGER,
    note TEXT NOT NULL DEFAULT '',
    token TEXT,
    confirmation_number TEXT,
    balance_after_cents INTEGER,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    confirmation_number TEXT PRIMARY KEY,
    statement_id TEXT NOT NULL REFERENCES statements(statement_id),
    username TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    reference TEXT NOT NULL,
    card_token TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    kind TEXT NOT NULL,
    charge_id TEXT NOT NULL,
    checkout_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deposits (
    deposit_id TEXT PRIMARY KEY,
    estimate_id TEXT NOT NULL REFERENCES estimates(estimate_id),
    username TEXT NOT NULL,
    form_id TEXT NOT NULL UNIQUE,
    amount_cents INTEGER NOT NULL,
    note TEXT NOT NULL,
    card_token TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    kind TEXT NOT NULL,
    charge_id TEXT NOT NULL,
    collected_on TEXT NOT NULL,
    statement_id TEXT,
    applied_cents INTEGER,
    applied_on TEXT
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
CREATE TABLE IF NOT EXISTS login_events (username TEXT NOT NULL, outcome TEXT NOT NULL,
                                         at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS devices (token TEXT PRIMARY KEY, username TEXT NOT NULL,
                                    created_at REAL NOT NULL);
"""
    + outbox.SCHEMA
    + clock.SCHEMA
    + autopay.SCHEMA
    + refunds.SCHEMA
)
# Bumped with every schema change: an older database file is rebuilt and re-seeded.
SCHEMA_VERSION = 7
_TABLES = (refunds.TABLE, "deposits", "payments", "checkouts", "charges", "statements",
           "encounters", "estimate_lines", "estimates", "wallet", "accounts", "sessions",
           "login_events", "outbox", "devices", "logins", "meta", clock.TABLE)  # fmt: skip


def connect(path: Path) -> sqlite3.Connection:
    return open_database(path, SCHEMA, SCHEMA_VERSION)


def is_seeded(connection: sqlite3.Connection) -> bool:
    count: int = connection.execute("SELECT COUNT(*) FROM logins").fetchone()[0]
    return count > 0


def reseed(connection: sqlite3.Connection, seed: int, patients: int) -> None:
    """Drop every row (ledger, checkouts, sessions, counters included) and load the seed."""
    logins = seed_logins(seed, patients)
    with transaction(connection):
        for table in (*autopay.TABLES, *_TABLES):
            connection.execute(f"DELETE FROM {table}")
        for login in logins:
            _insert_login(connection, login)
        connection.execute("INSERT INTO meta VALUES ('seed', ?)", (str(seed),))
        # Clear of the settlement cutoff first, so the calendar's day one starts there.
        keep_clear_of(connection, settlement.CUTOFF)
        portal_calendar.start(connection)
    logger.info("Seeded HealthPay24 sandbox: seed=%s, %d logins", seed, len(logins))


def _insert_login(db: sqlite3.Connection, login: SeedLogin) -> None:
    db.execute(
        "INSERT INTO logins (username, password, totp_secret, holder_id, full_name, birth_date, "
        "magic, mfa_method, phone, locked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (login.username, login.password, login.totp_secret, login.holder_id, login.full_name,
         login.birth_date.isoformat(), login.magic, login.mfa_method, login.phone,
         int(login.magic == "locked")),
    )  # fmt: skip
    for account in login.accounts:
        _insert_account(db, login.username, account)
    for position, method in enumerate(login.wallet):
        instrument = method.instrument
        db.execute(
            "INSERT INTO wallet VALUES (?, ?, ?, ?, ?, ?, ?)",
            (method.token, login.username, position, instrument.brand, instrument.last4,
             instrument.kind.value, instrument.outcome.value),
        )  # fmt: skip
    for estimate in login.estimates:
        db.execute(
            "INSERT INTO estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (estimate.estimate_id, login.username, estimate.account_number,
             estimate.service_date.isoformat(), estimate.facility, estimate.status,
             estimate.deposit_cents, estimate.encounter_id),
        )  # fmt: skip
        for position, line in enumerate(estimate.lines):
            db.execute(
                "INSERT INTO estimate_lines VALUES (?, ?, ?, ?, ?, ?, ?)",
                (estimate.estimate_id, position, line.code, line.code_system, line.description,
                 line.expected_charge_cents, line.patient_cents),
            )  # fmt: skip


def _insert_account(db: sqlite3.Connection, username: str, account: SeedAccount) -> None:
    db.execute(
        "INSERT INTO accounts (account_number, username, patient_name) VALUES (?, ?, ?)",
        (account.account_number, username, account.patient_name),
    )
    for encounter in account.encounters:
        db.execute(
            "INSERT INTO encounters VALUES (?, ?, ?, ?, ?)",
            (encounter.encounter_id, account.account_number, encounter.visit_date.isoformat(),
             encounter.facility, encounter.department),
        )  # fmt: skip
        statement = encounter.statement
        db.execute(
            "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?)",
            (statement.statement_id, account.account_number, encounter.encounter_id,
             statement.statement_date.isoformat(), statement.due_date.isoformat(),
             statement.total_cents, statement.total_cents),
        )  # fmt: skip
        for position, line in enumerate(statement.lines):
            db.execute(
                "INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (statement.statement_id, position, line.service_date.isoformat(), line.code,
                 line.code_system, line.description, line.charge_cents, line.patient_cents),
            )  # fmt: skip
