"""Engine and session handling without Flask-SQLAlchemy: one engine per app, one session
per application context."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "appraisal_db"


#: How long a statement waits for a lock by default (SQLite's busy timeout, PostgreSQL's
#: lock_timeout), in seconds: shorter than a proxy's or gunicorn's timeout, so that a
#: request held up by a lock answers 503 instead of hanging.
DEFAULT_LOCK_TIMEOUT = 10.0


def _configure_sqlite(engine: Engine, lock_timeout: float) -> None:
    busy_ms = int(lock_timeout * 1000)

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
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
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


def make_engine(
    url: str,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    statement_timeout: float = 0,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`, with SQLite set up for WAL, foreign keys and safe locking.

    Waits are bounded: a lock is waited for at most `lock_timeout` seconds (SQLite's busy
    timeout; PostgreSQL's lock_timeout, and its connect timeout up to 5 s), and on
    PostgreSQL a statement runs at most `statement_timeout` seconds (0: no limit) and,
    with a statement limit, a transaction left idle is ended after a minute (or twice that
    limit), so a stuck worker cannot hold locks."""
    url = normalise_url(url)
    parsed = make_url(url)
    # What an answer holds (a phone number) never reaches a log line or an error message.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, lock_timeout)
        return engine
    statement_ms = int(statement_timeout * 1000)
    idle_ms = max(60_000, 2 * statement_ms) if statement_ms else 0
    options = (
        f"-c lock_timeout={int(lock_timeout * 1000)} -c statement_timeout={statement_ms}"
        f" -c idle_in_transaction_session_timeout={idle_ms}"
    )
    connect_args = {
        "options": options,
        "connect_timeout": max(1, int(min(5.0, lock_timeout))),
        **kwargs.pop("connect_args", {}),
    }
    return create_engine(
        url,
        # Stated, not left to the server's default: the audit chain reads its tail after
        # taking its lock, which needs a snapshot per statement.
        isolation_level="READ COMMITTED",
        pool_pre_ping=True,
        pool_timeout=lock_timeout,
        connect_args=connect_args,
        **kwargs,
    )


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

    def __init__(
        self, url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, statement_timeout: float = 0
    ) -> None:
        self.engine = make_engine(
            url, lock_timeout=lock_timeout, statement_timeout=statement_timeout
        )
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        #: Per-process data derived from rows that never change (published versions).
        self.cache: dict[str, Any] = {}

    def dispose(self) -> None:
        self.engine.dispose()


def init_app(app: Flask) -> Database:
    database = Database(
        app.config["DATABASE_URL"],
        lock_timeout=float(app.config["DATABASE_LOCK_TIMEOUT_SECONDS"]),
        statement_timeout=float(app.config["DATABASE_STATEMENT_TIMEOUT_SECONDS"]),
    )
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
