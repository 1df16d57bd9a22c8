import os
import stat

from sqlalchemy import text

from appraisal_engine import create_app
from appraisal_engine.config import SECRET_KEY_FILE
from appraisal_engine.db import get_database


def test_secret_key_is_generated_once_and_private(instance_path):
    first = create_app()
    second = create_app()
    key_file = instance_path / SECRET_KEY_FILE
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    get_database(first).dispose()
    get_database(second).dispose()


def test_secret_key_from_environment_wins(instance_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_SECRET_KEY", "k" * 40)
    app = create_app()
    assert app.config["SECRET_KEY"] == "k" * 40
    assert not (instance_path / SECRET_KEY_FILE).exists()
    get_database(app).dispose()


def test_default_database_is_sqlite_in_instance_folder(instance_path):
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance_path / 'appraisal.sqlite3'}"
    get_database(app).dispose()


def test_environment_configures_public_url_and_secure_cookies(instance_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_PUBLIC_URL", "https://pingyi.example.gov.cn/")
    app = create_app()
    assert app.config["PUBLIC_URL"] == "https://pingyi.example.gov.cn"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    get_database(app).dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(instance_path):
    app = create_app()
    with get_database(app).engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    get_database(app).dispose()
