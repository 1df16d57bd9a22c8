"""Engine and session handling without Flask-SQLAlchemy: one engine per app, one session
per application context."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "appraisal_db"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite must not issue its own BEGIN: SQLAlchemy emits BEGIN below, which keeps
        # SAVEPOINT and transactional DDL working as documented for SQLAlchemy 2.x.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # Rows that INSERT OR REPLACE deletes then fire DELETE triggers, which guard
        # published questionnaire versions (migration 0002).
        cursor.execute("PRAGMA recursive_triggers = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs that name no driver ("postgresql://…")."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite set up for WAL, foreign keys and safe locking."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def begin_write(session: Session) -> None:
    """Start a transaction of `session` that will write, before any change is made.

    On SQLite a deferred transaction that reads and then writes fails at once with
    "database is locked" when another writer committed in between; BEGIN IMMEDIATE takes
    the write lock first and waits for it (busy_timeout) instead. A read-only transaction
    already open (a view that looked things up first) is ended, which expires the objects
    it loaded: they reload inside the new transaction, so checks made on them afterwards
    see the committed state.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() must come before the changes it protects")
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


class Database:
    """The app's engine and session factory."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        #: Per-process data derived from rows that never change (published versions).
        self.cache: dict[str, Any] = {}

    def dispose(self) -> None:
        self.engine.dispose()


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"])
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(_close_session)
    return database


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION_KEY]


def get_session() -> Session:
    """The session of the current application context (created on first use)."""
    if "db_session" not in g:
        g.db_session = get_database().session_factory()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
