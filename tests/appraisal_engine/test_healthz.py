from appraisal_engine import create_app
from appraisal_engine.db import get_database


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(instance_path, tmp_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    app = create_app()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    get_database(app).dispose()


def test_healthz_reports_unreachable_postgres(instance_path, monkeypatch):
    monkeypatch.setenv(
        "APPRAISAL_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2"
    )
    app = create_app()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    get_database(app).dispose()
