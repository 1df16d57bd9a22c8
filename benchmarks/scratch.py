"""Shared by the benchmarks: a scratch PostgreSQL database for one run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A database made on the server of `url` for the run, dropped afterwards."""
    from appraisal_engine.db import normalise_url

    server = make_url(normalise_url(url))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"appraisal_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
