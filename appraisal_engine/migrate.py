"""Schema migrations with Alembic, run from the CLI (never when the app boots)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the schema; returns (revision before, revision after)."""
    with engine.begin() as connection:
        before = current_revision(connection)
        command.upgrade(alembic_config(connection), revision)
        after = current_revision(connection)
    assert after is not None
    return before, after


def new_revision(message: str) -> str:
    """Autogenerate a migration from the difference between head and the models, on a
    scratch SQLite database; returns the path of the new revision file to review."""
    import tempfile

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
