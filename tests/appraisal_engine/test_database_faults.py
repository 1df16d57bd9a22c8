"""When the database is locked, cannot write or cannot be reached: /healthz says so within
its bound, and a request answers 503 with Retry-After in the visitor's language, never a
500; a resident's answers come back to send again, and nothing is recorded twice."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import contextmanager
from html import unescape

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from appraisal_engine import create_app
from appraisal_engine.db import get_database, normalise_url

from .test_survey import ANSWERS, open_form, stored
from .test_survey import window as window  # the fixture

BOUND = 0.5


@pytest.fixture
def impatient(app):
    """The app with short bounded waits: for a lock, and for /healthz."""
    bounded = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_LOCK_TIMEOUT_SECONDS": BOUND,
            "HEALTH_TIMEOUT_SECONDS": BOUND,
            "FLAG_SECONDS_PER_ANSWER": 0,
            "RATELIMIT_KEY_PREFIX": app.config["RATELIMIT_KEY_PREFIX"],
        }
    )
    bounded.test_client_class = app.test_client_class
    yield bounded
    get_database(bounded).dispose()


@contextmanager
def writers_locked_out(database_url: str):
    """Hold what keeps submissions from writing: SQLite's write lock, or an EXCLUSIVE lock
    on PostgreSQL's responses table (as an administrator's psql session might)."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("LOCK TABLE responses IN EXCLUSIVE MODE"))
            yield
            connection.rollback()
    finally:
        engine.dispose()


def hidden_fields(page: str) -> dict[str, str]:
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    }


PHONE = "13912345678"


def test_a_held_lock_gives_503_and_the_answers_come_back_to_send_again(
    impatient, database_url, window, session, caplog
):
    client = impatient.test_client()
    token = window["link"].token
    fields = open_form(client, token)
    answers = {**ANSWERS, "phone": PHONE}
    with writers_locked_out(database_url):
        started = time.monotonic()
        health = client.get("/healthz")
        assert time.monotonic() - started < BOUND + 2
        assert health.status_code == 503 and health.get_json()["database"] == "busy"
        assert health.headers["Retry-After"] == "5"
        refused = client.post(f"/s/{token}", data={**fields, **answers})
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        page = refused.get_data(as_text=True)
        assert "请稍后再试" in page and "没有丢失" in page
        kept = hidden_fields(page)
        assert kept == {**fields, **answers}, "every answer, the ticket and the CSRF token"
    assert stored(session) == [], "nothing half-written"
    assert "database unavailable" in caplog.text and PHONE not in caplog.text
    assert client.get("/healthz").status_code == 200
    sent = client.post(f"/s/{token}", data=kept)
    assert sent.status_code == 303
    again = client.post(f"/s/{token}", data=kept)
    assert again.headers["Location"] == sent.headers["Location"], "the same receipt"
    assert len(stored(session)) == 1


def test_an_unreachable_database_gives_503_pages_in_the_visitors_language(
    instance_path, monkeypatch
):
    monkeypatch.setenv(
        "APPRAISAL_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2"
    )
    unreachable = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key"})
    client = unreachable.test_client()
    try:
        for path in ("/s/abcdefgh", "/r/ABC123", "/public/demo"):
            page = client.get(path)
            assert page.status_code == 503, path
            assert page.headers["Retry-After"] == "5"
            assert "请稍后再试" in page.get_data(as_text=True)
        english = client.get("/s/abcdefgh", headers={"Accept-Language": "en"})
        assert "Please try again in a moment" in english.get_data(as_text=True)
        signing_in = client.post("/login", data={"username": "a", "password": "b"})
        assert signing_in.status_code in (400, 503), "CSRF refuses it first, or the database"
        assert client.get("/api/campaigns/x/status").status_code in (401, 503)
    finally:
        get_database(unreachable).dispose()


def test_database_errors_never_show_what_was_sent(app):
    """No answer (a phone number) in an error message, and so in no log line."""
    with pytest.raises(DBAPIError) as refused, get_database(app).engine.begin() as connection:
        connection.execute(text("INSERT INTO nowhere (phone) VALUES (:phone)"), {"phone": PHONE})
    assert PHONE not in str(refused.value)
