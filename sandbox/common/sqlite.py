"""A sandbox's own SQLite file: opened with its schema, rebuilt when the schema changed.

All handlers run on the event loop thread, so one connection without extra locking is safe.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)


def open_database(path: Path, schema: str, version: int) -> sqlite3.Connection:
    """Connect, dropping every table first if the file holds another ``version`` of the schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    if connection.execute("PRAGMA user_version").fetchone()[0] != version:
        _drop_tables(connection)
    connection.executescript(schema)
    connection.execute(f"PRAGMA user_version = {version}")
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _drop_tables(connection: sqlite3.Connection) -> None:
    existing = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )]  # fmt: skip
    if existing:
        logger.info("sandbox database schema is outdated: rebuilding it")
    connection.execute("PRAGMA foreign_keys=OFF")
    for table in existing:
        connection.execute(f"DROP TABLE {table}")
    connection.execute("PRAGMA foreign_keys=ON")
