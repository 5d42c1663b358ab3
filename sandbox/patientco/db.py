"""The Patientco sandbox's SQLite database: the console's tables and the identity provider's.

Both servers of the process share this one connection: they run on the same event loop.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sandbox.common import autopay, clock
from sandbox.common.outbox import SCHEMA as OUTBOX_SCHEMA
from sandbox.common.sqlite import open_database, transaction
from sandbox.patientco.seed import SeedGuarantor, SeedStaff, build_guarantors, build_staff

logger = logging.getLogger(__name__)

CONSOLE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS guarantors (
    account_number TEXT PRIMARY KEY, guarantor_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, birth_date TEXT NOT NULL, status TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS patients (
    mrn TEXT PRIMARY KEY, account_number TEXT NOT NULL REFERENCES guarantors(account_number),
    name TEXT NOT NULL, birth_date TEXT NOT NULL, relationship TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS encounters (
    encounter_id TEXT PRIMARY KEY,
    account_number TEXT NOT NULL REFERENCES guarantors(account_number),
    mrn TEXT NOT NULL, service_date TEXT NOT NULL, facility TEXT NOT NULL,
    service_line TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS statements (
    statement_id TEXT PRIMARY KEY,
    account_number TEXT NOT NULL REFERENCES guarantors(account_number),
    period_start TEXT NOT NULL, period_end TEXT NOT NULL, issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL, total_cents INTEGER NOT NULL, balance_cents INTEGER NOT NULL,
    delivery_channel TEXT NOT NULL, delivery_status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS line_items (
    statement_id TEXT NOT NULL REFERENCES statements(statement_id), position INTEGER NOT NULL,
    encounter_id TEXT NOT NULL, service_date TEXT NOT NULL, code TEXT NOT NULL,
    code_system TEXT NOT NULL, description TEXT NOT NULL, charge_cents INTEGER NOT NULL,
    patient_cents INTEGER NOT NULL, PRIMARY KEY (statement_id, position)
);
CREATE TABLE IF NOT EXISTS wallet (
    token TEXT PRIMARY KEY, account_number TEXT NOT NULL REFERENCES guarantors(account_number),
    kind TEXT NOT NULL, brand TEXT NOT NULL, last4 TEXT NOT NULL, outcome TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY, status TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT,
    deposit_date TEXT
);
CREATE TABLE IF NOT EXISTS payments (
    transaction_id TEXT PRIMARY KEY,
    account_number TEXT NOT NULL REFERENCES guarantors(account_number),
    statement_id TEXT, staff_username TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    reference TEXT NOT NULL, token TEXT NOT NULL, method_kind TEXT NOT NULL,
    brand TEXT NOT NULL, last4 TEXT NOT NULL, charge_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'posted', refunded_cents INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, batch_id TEXT NOT NULL REFERENCES batches(batch_id),
    submission_id TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS allocations (
    transaction_id TEXT NOT NULL REFERENCES payments(transaction_id),
    statement_id TEXT NOT NULL REFERENCES statements(statement_id),
    amount_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id TEXT PRIMARY KEY, transaction_id TEXT NOT NULL REFERENCES payments(transaction_id),
    amount_cents INTEGER NOT NULL, reason_code TEXT NOT NULL, processor_refund_id TEXT NOT NULL,
    staff_username TEXT NOT NULL, created_at TEXT NOT NULL,
    batch_id TEXT NOT NULL REFERENCES batches(batch_id)
);
CREATE TABLE IF NOT EXISTS console_sessions (
    session_id TEXT PRIMARY KEY, username TEXT NOT NULL, full_name TEXT NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_logins (
    state TEXT PRIMARY KEY, browser_id TEXT NOT NULL, nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL, created_at REAL NOT NULL
);
"""
IDP_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    username TEXT PRIMARY KEY, password TEXT NOT NULL, totp_secret TEXT NOT NULL,
    full_name TEXT NOT NULL, email TEXT NOT NULL, mfa_method TEXT NOT NULL, magic TEXT,
    failed_passwords INTEGER NOT NULL DEFAULT 0, locked INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idp_sessions (
    session_id TEXT PRIMARY KEY, username TEXT NOT NULL, kind TEXT NOT NULL,
    last_seen REAL NOT NULL, mfa_failures INTEGER NOT NULL DEFAULT 0, code TEXT,
    code_expires_at REAL, authorize_query TEXT NOT NULL DEFAULT '', auth_time REAL
);
CREATE TABLE IF NOT EXISTS signin_requests (
    request_id TEXT PRIMARY KEY, authorize_query TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS authorization_codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL, username TEXT NOT NULL, nonce TEXT, auth_time INTEGER NOT NULL,
    code_challenge TEXT, code_challenge_method TEXT, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS access_tokens (
    access_token TEXT PRIMARY KEY, client_id TEXT NOT NULL, username TEXT NOT NULL,
    scope TEXT NOT NULL, issued_at REAL NOT NULL, expires_in INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS login_events (username TEXT NOT NULL, outcome TEXT NOT NULL, at REAL);
CREATE TABLE IF NOT EXISTS trusted_browsers (
    token TEXT PRIMARY KEY, username TEXT NOT NULL, created_at REAL NOT NULL
);
"""
# Bumped with every schema change: an older database file is rebuilt and re-seeded.
SCHEMA_VERSION = 3
_TABLES = (*autopay.TABLES, "refunds", "allocations", "payments", "batches", "wallet", "line_items",
           "statements", "encounters", "patients", "guarantors", "console_sessions",
           "pending_logins", "idp_sessions", "signin_requests", "authorization_codes",
           "access_tokens", "login_events", "trusted_browsers", "outbox", "staff",
           "meta", clock.TABLE)  # fmt: skip


def connect(path: Path) -> sqlite3.Connection:
    return open_database(
        path,
        CONSOLE_SCHEMA + IDP_SCHEMA + OUTBOX_SCHEMA + clock.SCHEMA + autopay.SCHEMA,
        SCHEMA_VERSION,
    )


def is_seeded(connection: sqlite3.Connection) -> bool:
    count: int = connection.execute("SELECT COUNT(*) FROM staff").fetchone()[0]
    return count > 0


def reseed(connection: sqlite3.Connection, seed: int, guarantors: int) -> None:
    """Drop every row (ledger, batches, sessions, counters included) and load the seed again."""
    staff = build_staff(seed)
    accounts = build_guarantors(seed, guarantors)
    with transaction(connection):
        for table in _TABLES:
            connection.execute(f"DELETE FROM {table}")
        for position, member in enumerate(staff):
            _insert_staff(connection, member, position)
        for position, guarantor in enumerate(accounts):
            _insert_guarantor(connection, guarantor, position)
        connection.execute("INSERT INTO meta VALUES ('seed', ?)", (str(seed),))
    logger.info("Seeded Patientco sandbox: seed=%s, %d guarantors", seed, len(accounts))


def _insert_staff(connection: sqlite3.Connection, member: SeedStaff, position: int) -> None:
    connection.execute(
        "INSERT INTO staff (username, password, totp_secret, full_name, email, mfa_method, "
        "magic, locked, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (member.username, member.password, member.totp_secret, member.full_name, member.email,
         member.mfa_method, member.magic, int(member.magic == "locked"), position),
    )  # fmt: skip


def _insert_guarantor(connection: sqlite3.Connection, seeded: SeedGuarantor, position: int) -> None:
    account = seeded.account_number
    connection.execute(
        "INSERT INTO guarantors VALUES (?, ?, ?, ?, ?, ?)",
        (account, seeded.guarantor_number, seeded.name, seeded.birth_date.isoformat(),
         seeded.status, position),
    )  # fmt: skip
    for patient in seeded.patients:
        connection.execute(
            "INSERT INTO patients VALUES (?, ?, ?, ?, ?)",
            (patient.mrn, account, patient.name, patient.birth_date.isoformat(),
             patient.relationship),
        )  # fmt: skip
    for visit in seeded.encounters:
        connection.execute(
            "INSERT INTO encounters VALUES (?, ?, ?, ?, ?, ?)",
            (visit.encounter_id, account, visit.mrn, visit.service_date.isoformat(),
             visit.facility, visit.service_line),
        )  # fmt: skip
    for statement in seeded.statements:
        connection.execute(
            "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (statement.statement_id, account, statement.period_start.isoformat(),
             statement.period_end.isoformat(), statement.issued_on.isoformat(),
             statement.due_on.isoformat(), statement.total_cents, statement.total_cents,
             statement.delivery_channel, statement.delivery_status),
        )  # fmt: skip
        for index, item in enumerate(statement.line_items):
            connection.execute(
                "INSERT INTO line_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (statement.statement_id, index, item.encounter_id, item.service_date.isoformat(),
                 item.code, item.code_system, item.description, item.charge_cents,
                 item.patient_cents),
            )  # fmt: skip
    for index, instrument in enumerate(seeded.wallet):
        connection.execute(
            "INSERT INTO wallet VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seeded.token(instrument), account, instrument.kind.value, instrument.brand,
             instrument.last4, instrument.outcome.value, index),
        )  # fmt: skip
