"""Opening the read model's database: one engine per process, SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

# "postgresql://" alone would pick psycopg2, which BillBridge does not ship.
_PLAIN_POSTGRES = "postgresql"
_POSTGRES_DRIVER = "postgresql+psycopg"


def normalized_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == _PLAIN_POSTGRES:
        parsed = parsed.set(drivername=_POSTGRES_DRIVER)
    return parsed.render_as_string(hide_password=False)


def open_engine(url: str) -> Engine:
    url = normalized_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # The API answers from a thread pool, and the sync writers may hold the file briefly.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked; WAL lets readers go on while one writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def describe(engine: Engine) -> str:
    """The database as logs and the health check may name it: never the password."""
    return engine.url.render_as_string(hide_password=True)
