"""Fixtures: each test gets an app on a fresh database, on SQLite and, when
APPRAISAL_TEST_DATABASE_URL names a PostgreSQL server, on PostgreSQL too.

A database migrated to head is made once per test session and copied for each test
(a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so every test starts
from exactly the migrated schema and may commit freely.
"""

from __future__ import annotations

import contextvars
import os
import queue
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import appraisal_engine.models as models_package
import appraisal_engine.models.users as users_model
from appraisal_engine import create_app
from appraisal_engine.db import get_database, make_engine, normalise_url
from appraisal_engine.migrate import upgrade

from .factories import Factories

# Passwords: production hashes with scrypt n=2**15 (about 0.25 s a hash here, on purpose);
# the suite signs in thousands of times, so it hashes with n=2**10. test_auth checks the
# production setting itself (PRODUCTION_PASSWORD_METHOD).
PRODUCTION_PASSWORD_METHOD = users_model.PASSWORD_METHOD
users_model.PASSWORD_METHOD = models_package.PASSWORD_METHOD = "scrypt:1024:8:1"

POSTGRES_ENV = "APPRAISAL_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]


class PostgresServer:
    """Creates and drops uniquely named databases on the server of POSTGRES_ENV.

    Copying the template costs about 0.3 s a database here, more than most tests take,
    so a background thread keeps SPARE_DATABASES copies ready and drops used databases
    while the tests run."""

    SPARE_DATABASES = 2

    def __init__(self, url: str) -> None:
        self.url = make_url(normalise_url(url))
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.prefix = f"appraisal_test_{uuid.uuid4().hex[:8]}"
        self.template: str | None = None
        self._spares: queue.Queue[str] = queue.Queue()
        self._chores: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._failure: BaseException | None = None

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    def migrated_copy(self) -> str:
        """A fresh database migrated to head: a spare if one is ready, else one made now
        (also when the background thread failed: its error is printed, and the database is
        made here as without the thread)."""
        if self._failure is not None:
            failure, self._failure = self._failure, None
            print(f"making a spare test database failed: {failure!r}", file=sys.stderr)
        template = self.migrated_template()
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, daemon=True)
            self._worker.start()
            for _ in range(self.SPARE_DATABASES):
                self._chores.put(self._make_spare)
        try:
            name = self._spares.get_nowait()
        except queue.Empty:
            name = self.create(template)
        self._chores.put(self._make_spare)
        return name

    def release(self, name: str) -> None:
        """Drop a used database, in the background."""
        if self._worker is None:
            self.drop(name)
        else:
            self._chores.put(lambda: self.drop(name))

    def _make_spare(self) -> None:
        assert self.template is not None
        if self._spares.qsize() < self.SPARE_DATABASES:
            self._spares.put(self.create(self.template))

    def _work(self) -> None:
        while (chore := self._chores.get()) is not None:
            try:
                chore()
            except BaseException as error:  # reported by the next migrated_copy()
                self._failure = error

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def migrated_template(self) -> str:
        if self.template is None:
            name = self.create()
            engine = make_engine(self.url_for(name))
            upgrade(engine)
            engine.dispose()
            self.template = name
        return self.template

    def close(self) -> None:
        if self._worker is not None:
            self._chores.put(None)
            self._worker.join(timeout=120)
            if self._worker.is_alive() or self._failure is not None:
                print(f"\nspare test databases: {self._failure or 'cleanup timed out'}")
        while not self._spares.empty():
            self.drop(self._spares.get_nowait())
        if self.template:
            self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    server = PostgresServer(url)
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, postgres_server: PostgresServer | None) -> str:
    if request.param == "postgresql" and postgres_server is None:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    return request.param


@pytest.fixture
def make_database_url(
    backend: str,
    postgres_server: PostgresServer | None,
    tmp_path: Path,
    sqlite_template: Path,
) -> Iterator[Callable[..., str]]:
    """Returns a function that makes a fresh database, migrated unless `empty=True`."""
    created: list[str] = []

    def make(*, empty: bool = False) -> str:
        if backend == "sqlite":
            path = tmp_path / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
            if not empty:
                shutil.copyfile(sqlite_template, path)
            return f"sqlite:///{path}"
        assert postgres_server is not None
        name = postgres_server.create() if empty else postgres_server.migrated_copy()
        created.append(name)
        return postgres_server.url_for(name)

    yield make
    for name in created:
        assert postgres_server is not None
        postgres_server.release(name)


@pytest.fixture
def database_url(make_database_url: Callable[..., str]) -> str:
    return make_database_url()


@pytest.fixture
def instance_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "instance"
    monkeypatch.setenv("APPRAISAL_INSTANCE_PATH", str(path))
    for name in (
        "APPRAISAL_DATABASE_URL",
        "APPRAISAL_SECRET_KEY",
        "APPRAISAL_PUBLIC_URL",
        "APPRAISAL_REDIS_URL",
        "APPRAISAL_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    return path


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, as a server does: it gets its own app
    context (and `g`), even while a test holds one open for its own database session."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(database_url: str, instance_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", database_url)
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            # Each test its own rate-limit counters, even in a shared Redis.
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    )
    application.test_client_class = IsolatedClient
    yield application
    get_database(application).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    with app.app_context():
        db_session = get_database(app).session_factory()
        yield db_session
        db_session.close()


@pytest.fixture
def factories(session) -> Factories:
    return Factories(session)
