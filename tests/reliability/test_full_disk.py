"""A full disk under SQLite, through gunicorn: the server may not grow its files past a
limit (RLIMIT_FSIZE, as `prlimit --fsize` sets it), so once the WAL reaches it every
write fails. /healthz answers 503 before that (less room is left than it asks for),
submissions then answer 503 with Retry-After, and every submission that was acknowledged
with a receipt is stored, once."""

from __future__ import annotations

import shutil
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ..load import RESIDENT_ANSWERS, UNLIMITED, Resident, gunicorn, open_window

HEADROOM = 3 * 1024 * 1024


def _status(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_a_full_disk_gives_503_and_loses_no_acknowledged_answer(
    backend, database_url, factories, session, tmp_path
):
    if backend != "sqlite":
        pytest.skip("a full disk is tried on SQLite, whose files the server itself writes")
    if shutil.which("prlimit") is None:
        pytest.skip("needs prlimit (util-linux) to limit the size of the server's files")
    token = open_window(factories, session)
    session.close()
    path = Path(make_url(database_url).database)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = path.stat().st_size + HEADROOM
    env = {
        "APPRAISAL_DATABASE_URL": database_url,
        "APPRAISAL_INSTANCE_PATH": str(tmp_path / "server-instance"),
        "APPRAISAL_SECRET_KEY": "full-disk-test-secret-key-0123456789",
        **UNLIMITED,
        "APPRAISAL_FLAG_SECONDS_PER_ANSWER": "0",
        "APPRAISAL_HEALTH_MIN_FREE_MB": "1",
    }
    receipts, statuses, healthy = [], [], []
    with gunicorn("wsgi:app", env, workers=2, prefix=["prlimit", f"--fsize={limit}"]) as base:
        assert _status(base + "/healthz")[0] == 200
        resident = Resident(base)
        for _ in range(400):
            fields = resident.open_form(token)
            status, _body, location = resident.submit(token, fields, RESIDENT_ANSWERS)
            statuses.append(status)
            healthy.append(_status(base + "/healthz")[0])
            if status == 303:
                receipts.append(location.split("/r/")[1].split("?")[0])
                continue
            assert status == 503, f"a failed write must be a 503, not {status}"
            _refused_status, body, _ = resident.request(
                f"/s/{token}", {**fields, **RESIDENT_ANSWERS}
            )
            assert "请稍后再试" in body
            break
        else:
            pytest.fail(f"the writes never failed under a {limit}-byte file limit")
        started = time.monotonic()
        health, headers = _status(base + "/healthz")
        assert health == 503 and "Retry-After" in headers
        assert time.monotonic() - started < 10
    assert receipts, "some submissions fit before the limit"
    assert 503 in healthy[: len(receipts)], "/healthz warned before the first refusal"
    with sqlite3.connect(path) as connection:
        stored = [row[0] for row in connection.execute("SELECT receipt_code FROM responses")]
    assert sorted(stored) == sorted(receipts), "every acknowledged response, once; no other"
