"""The migrations are the schema: upgrading an empty database gives exactly the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from appraisal_engine import create_app
from appraisal_engine.db import get_database, make_engine
from appraisal_engine.migrate import head_revision, upgrade
from appraisal_engine.models import Base


def test_upgrade_of_empty_database_matches_models(make_database_url):
    engine = make_engine(make_database_url(empty=True))
    before, after = upgrade(engine)
    assert before is None
    assert after == head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == []
    assert set(Base.metadata.tables) <= tables


def test_booting_the_app_does_not_touch_the_schema(make_database_url, instance_path, monkeypatch):
    url = make_database_url(empty=True)
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", url)
    app = create_app()
    app.test_client().get("/healthz")
    app.test_client().get("/login")
    with get_database(app).engine.connect() as connection:
        assert inspect(connection).get_table_names() == []
    get_database(app).dispose()


def test_init_db_creates_then_reports_up_to_date(make_database_url, instance_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", make_database_url(empty=True))
    app = create_app()
    runner = app.test_cli_runner()
    created = runner.invoke(args=["init-db"])
    assert created.exit_code == 0, created.output
    assert f"created (revision {head_revision()})" in created.output
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0
    assert "up to date" in again.output
    get_database(app).dispose()


def test_commands_refuse_an_uninitialised_database(make_database_url, instance_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", make_database_url(empty=True))
    monkeypatch.setenv("APPRAISAL_PASSWORD", "long enough password")
    app = create_app()
    result = app.test_cli_runner().invoke(
        args=["create-user", "--username", "a", "--role", "admin"]
    )
    assert result.exit_code == 1
    assert "appraisal init-db" in result.output
    get_database(app).dispose()
