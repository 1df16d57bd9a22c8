"""Whether the database can take a submission now: it answers, and takes a write, within a
bounded time. A read alone is not enough: with a full disk, or a lock held on the
responses, a database answers SELECT 1 while every submission fails or waits."""

from __future__ import annotations

import os
import resource
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..models import HealthCheck, utcnow

#: The tables a resident's submission writes: a health check must be able to lock them.
SUBMISSION_TABLES = "responses, answers"


def _sqlite_busy_timeout(connection: Connection, milliseconds: int) -> None:
    """On the driver's connection: through SQLAlchemy it would begin a transaction."""
    connection.connection.dbapi_connection.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


def sqlite_room(database: str) -> int:
    """Bytes the SQLite files may still grow by: the free space of their disk, and the
    largest file size this process may write (RLIMIT_FSIZE, `ulimit -f`), less the
    largest of the database and its write-ahead log."""
    path = Path(database)
    disk = os.statvfs(path.parent)
    room = disk.f_bavail * disk.f_frsize
    limit, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit != resource.RLIM_INFINITY:
        sizes = [candidate.stat().st_size for candidate in (path, Path(f"{path}-wal"))
                 if candidate.exists()]  # fmt: skip
        room = min(room, limit - max(sizes, default=0))
    return room


def database_problem(
    engine: Engine, timeout: float, lock_timeout: float, min_room: int = 0
) -> str | None:
    """None when the database takes a write within about `timeout` seconds, else a short
    word for what failed: "busy" (a lock is held, or the statement ran out of time),
    "full" (SQLite's files have less than `min_room` bytes left to grow by: a submission
    would soon fail, though a tiny write still fits) or "unreachable" (no connection, a
    write refused, a read-only database).

    The write is the one row of `health_checks`, committed, so that a disk that cannot
    grow shows here as it does to a submission. On PostgreSQL the check also takes the
    lock a submission takes on its tables, so a table locked against writers shows too."""
    milliseconds = max(1, int(timeout * 1000))
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        try:
            if sqlite_room(database) < min_room:
                return "full"
        except OSError:
            return "unreachable"
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
    if isinstance(error, PoolTimeout):  # every connection is held by waiting requests
        return True
    if isinstance(error, DBAPIError):
        code = getattr(error.orig, "sqlstate", None)
        if code in ("55P03", "57014", "40P01"):  # lock_not_available, query_canceled, deadlock
            return True
        return "database is locked" in str(error.orig) or "database table is locked" in str(
            error.orig
        )
    return False
