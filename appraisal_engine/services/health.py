"""Whether the database can take a submission now: it answers, and takes a write, within a
bounded time. A read alone is not enough: with a full disk, or a lock held on the
responses, a database answers SELECT 1 while every submission fails or waits."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..models import HealthCheck, utcnow

#: The tables a resident's submission writes: a health check must be able to lock them.
SUBMISSION_TABLES = "responses, answers"


def _sqlite_busy_timeout(connection: Connection, milliseconds: int) -> None:
    """On the driver's connection: through SQLAlchemy it would begin a transaction."""
    connection.connection.dbapi_connection.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


def database_problem(engine: Engine, timeout: float, lock_timeout: float) -> str | None:
    """None when the database takes a write within about `timeout` seconds, else a short
    word for what failed: "busy" (a lock is held, or the statement ran out of time) or
    "unreachable" (no connection, a full disk, a read-only database).

    The write is the one row of `health_checks`, committed, so that a disk that cannot
    grow shows here as it does to a submission. On PostgreSQL the check also takes the
    lock a submission takes on its tables, so a table locked against writers shows too."""
    milliseconds = max(1, int(timeout * 1000))
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection = connection.execution_options(sqlite_begin="IMMEDIATE")
                _sqlite_busy_timeout(connection, milliseconds)
            try:
                with connection.begin():
                    if not sqlite:
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
                        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
                        connection.exec_driver_sql(
                            f"LOCK TABLE {SUBMISSION_TABLES} IN ROW EXCLUSIVE MODE"
                        )
                    now = utcnow()
                    written = connection.execute(
                        update(HealthCheck).where(HealthCheck.id == 1).values(checked_at=now)
                    ).rowcount
                    if not written:
                        connection.execute(insert(HealthCheck).values(id=1, checked_at=now))
            finally:
                if sqlite and not connection.invalidated:
                    _sqlite_busy_timeout(connection, int(lock_timeout * 1000))
    except (DBAPIError, PoolTimeout) as error:
        return "busy" if is_busy(error) else "unreachable"
    return None


def is_busy(error: BaseException) -> bool:
    """A wait that ran out (a lock held too long, a statement cancelled for its time),
    rather than a database that cannot be reached or written."""
    if isinstance(error, DBAPIError):
        code = getattr(error.orig, "sqlstate", None)
        if code in ("55P03", "57014", "40P01"):  # lock_not_available, query_canceled, deadlock
            return True
        return "database is locked" in str(error.orig) or "database table is locked" in str(
            error.orig
        )
    return False
