"""The migrations are the schema: upgrading an empty database gives exactly the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.exc import DBAPIError

from appraisal_engine import create_app
from appraisal_engine.db import get_database, make_engine
from appraisal_engine.migrate import downgrade, head_revision, upgrade
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


def test_rebuilding_the_responses_table_keeps_data_keys_and_guards(app, session, factories):
    """Revision 0007 rebuilds `responses` on SQLite: rows, the keys that point at them and
    the triggers of revision 0002 must survive, down and up again."""
    unit = factories.unit()
    campaign = factories.campaign(targets=[unit], status="open")
    for _ in range(3):
        factories.response(campaign, unit)
    session.commit()
    counts = {table: session.scalar(text(f"SELECT count(*) FROM {table}")) for table in COUNTED}
    session.close()
    engine = get_database(app).engine

    assert downgrade(engine, "0006") == (head_revision(), "0006")
    assert upgrade(engine) == ("0006", head_revision())

    with engine.connect() as connection:
        after = {t: connection.scalar(text(f"SELECT count(*) FROM {t}")) for t in COUNTED}
        assert after == counts and counts["responses"] == 3
        if connection.dialect.name == "sqlite":
            triggers = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'responses'"
            ).scalars()
            assert sorted(triggers) == [
                "responses_finalised_delete",
                "responses_finalised_insert",
                "responses_finalised_update",
                "responses_need_published_version_insert",
                "responses_need_published_version_update",
            ]
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    # The guard still holds: a response may not point at an unpublished version.
    with pytest.raises(DBAPIError, match="must be published"), engine.begin() as connection:
        connection.execute(
            text("UPDATE responses SET questionnaire_version_id = :v"),
            {"v": _draft_version_id(connection)},
        )


COUNTED = ("responses", "answers", "campaign_targets")


def _draft_version_id(connection) -> int:
    published = connection.scalar(text("SELECT questionnaire_version_id FROM responses"))
    questionnaire = connection.scalar(
        text("SELECT questionnaire_id FROM questionnaire_versions WHERE id = :id"),
        {"id": published},
    )
    return connection.execute(
        text(
            "INSERT INTO questionnaire_versions (questionnaire_id, number, status, title_zh,"
            " title_en, intro_zh, intro_en, created_at)"
            " VALUES (:q, 99, 'draft', '草稿', '', '', '', CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"q": questionnaire},
    ).scalar_one()


def _spaced(sql: str) -> str:
    return " ".join(sql.replace("(", " ( ").replace(")", " ) ").split())


def test_the_migrated_checks_are_the_models(make_database_url, backend):
    """The CHECK constraints the models generate (scoring.parameters, scoring.registry)
    are the migrated database's: names on both backends, and on SQLite, which keeps the
    SQL as written, the conditions too (compare_metadata does not compare CHECKs)."""
    engine = make_engine(make_database_url())
    tables = ("campaigns", "campaign_categories", "campaign_targets", "links")
    with engine.connect() as connection:
        inspector = inspect(connection)
        migrated = {
            table: {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
            for table in tables
        }
    engine.dispose()
    for table in tables:
        stated = {
            check.name: str(check.sqltext)
            for check in Base.metadata.tables[table].constraints
            if isinstance(check, CheckConstraint)
        }
        assert set(migrated[table]) == set(stated), table
        if backend == "sqlite":
            assert {n: _spaced(s) for n, s in migrated[table].items()} == {
                n: _spaced(s) for n, s in stated.items()
            }, table
