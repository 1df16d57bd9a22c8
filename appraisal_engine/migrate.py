"""Schema migrations with Alembic, run from the CLI (never when the app boots). Alembic
takes half a second to import, so it is imported inside the functions that use it: the
app registers the CLI, and with it this module, in every worker."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the schema; returns (revision before, revision after)."""
    from alembic import command

    return _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> tuple[str | None, str]:
    """Take the schema back to `revision` (for testing migrations on data)."""
    from alembic import command

    return _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str):
    """Run `step` in one transaction.

    On SQLite, foreign keys are off while migrating (a migration that must rebuild a
    table drops it, which other tables' keys would refuse) and are checked as a whole
    before the commit: the procedure SQLite documents for schema changes."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside a transaction, where SQLite ignores this pragma
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                before = current_revision(connection)
                step(alembic_config(connection), revision)
                after = current_revision(connection)
                if sqlite and after != before:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
    assert after is not None
    return before, after


def sqlite_triggers(connection: Connection, table: str) -> list[str]:
    """The CREATE TRIGGER statements on `table` as the database holds them: a migration
    that rebuilds the table on SQLite drops its triggers, and runs these again after."""
    return list(
        connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
            (table,),
        ).scalars()
    )


def sqlite_triggers_about(connection: Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of every trigger on `table` or naming it. SQLite
    cannot rebuild a table while triggers of other tables name it (the rename at the end
    of a rebuild checks them): a migration drops these first and runs them again after."""
    named = re.compile(rf"\b{re.escape(table)}\b")
    return [
        (name, sql)
        for name, sql in connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
        if named.search(sql)
    ]


def new_revision(message: str) -> str:
    """Autogenerate a migration from the difference between head and the models, on a
    scratch SQLite database; returns the path of the new revision file to review."""
    import tempfile

    from alembic import command

    from .db import make_engine

    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/scratch.sqlite3")
        upgrade(engine)
        with engine.begin() as connection:
            script = command.revision(
                alembic_config(connection), message=message, autogenerate=True
            )
        engine.dispose()
    assert script is not None and not isinstance(script, list)
    return script.path
