"""Alembic's entry: runs the migrations on the connection ``migrate.py`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from stores.read_model.tables import Base


def run_migrations_online() -> None:
    connection: Connection = context.config.attributes["connection"]
    # Batch mode rebuilds a table where SQLite cannot ALTER it; PostgreSQL alters in place.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
