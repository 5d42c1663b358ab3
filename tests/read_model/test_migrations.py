"""The shipped migrations build, tear down and rebuild the schema on both databases."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from stores.read_model.migrate import current_revision, downgrade, head_revision, upgrade
from stores.read_model.tables import Base


def test_upgrade_to_head_builds_every_table_the_code_maps(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrade_twice_is_a_no_op_and_downgrade_then_upgrade_round_trips(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_migrated_columns_match_the_mapped_tables(engine: Engine) -> None:
    upgrade(engine)
    inspector = inspect(engine)
    for name, table in Base.metadata.tables.items():
        migrated = {column["name"] for column in inspector.get_columns(name)}
        assert migrated == {column.name for column in table.columns}, name
