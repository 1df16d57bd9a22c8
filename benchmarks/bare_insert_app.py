"""The yardstick for benchmarks/submit_throughput.py: a bare Flask endpoint that inserts
one row and commits, on the same engine settings as the app (SQLite WAL pragmas, the
same pool), served by the same gunicorn. `gunicorn benchmarks.bare_insert_app:app`."""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert

from appraisal_engine.db import make_engine

metadata = MetaData()
rows = Table(
    "bench_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payload", String(200)),
)

app = Flask(__name__)
_engines: dict[str, Engine] = {}


def create_table(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        metadata.create_all(connection)
    engine.dispose()


def _engine() -> Engine:
    url = os.environ["APPRAISAL_DATABASE_URL"]
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


@app.post("/bare")
def bare():
    with _engine().begin() as connection:
        connection.execute(insert(rows).values(payload=request.form.get("payload", "")))
    return "", 204


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
