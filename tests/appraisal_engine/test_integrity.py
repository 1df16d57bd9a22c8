"""Tamper evidence: the database refuses changes to a finalised campaign's responses,
answers, reviews and frozen run, and to any audit entry; what an owner could still do
with the triggers dropped is found by `appraisal verify`, and never served."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from appraisal_engine.db import get_database
from appraisal_engine.models import AuditEntry, Response, utcnow
from appraisal_engine.services.audit import record
from appraisal_engine.services.campaigns import change_status
from appraisal_engine.services.integrity import walk_audit_chain
from appraisal_engine.services.scoring_runs import run_scoring

from .test_auth import sign_in


@pytest.fixture
def finalised(session, factories):
    """A finalised campaign "fin" (its frozen run made and frozen the real way, its units'
    table published) and an open one "live", each with responses."""
    admin = factories.user("admin", username="root")
    units = [factories.unit(name_zh=f"单位{i}") for i in range(3)]
    campaign = factories.campaign(code="fin", targets=units, status="closed")
    live = factories.campaign(code="live", targets=units, status="open")
    for unit in units:
        for _ in range(2):
            factories.response(campaign, unit)
            factories.response(live, unit)
    blank = factories.response(campaign, units[0])
    blank.answers = []
    session.flush()
    run_scoring(session, campaign, user=admin)  # an earlier run, left unfrozen
    run_scoring(session, campaign, user=admin)
    run_scoring(session, live, user=admin)
    session.commit()
    change_status(session, campaign, "finalised", admin)
    campaign.league_published_at = utcnow()
    session.commit()
    return campaign


def _refused(engine, statement: str, **parameters) -> None:
    refusal = r"cannot change|append-only|cannot be truncated"
    with pytest.raises(DBAPIError, match=refusal), engine.begin() as connection:
        connection.execute(text(statement), parameters)


def _response_of(connection, campaign_code: str) -> int:
    return connection.scalar(
        text(
            "SELECT r.id FROM responses r JOIN campaigns c ON c.id = r.campaign_id"
            " WHERE c.code = :code ORDER BY r.id LIMIT 1"
        ),
        {"code": campaign_code},
    )


def test_the_database_refuses_edits_of_a_finalised_campaign(app, finalised, session):
    blank_id = session.scalar(
        select(func.max(Response.id)).where(Response.campaign_id == finalised.id)
    )
    session.close()
    engine = get_database(app).engine
    with engine.connect() as connection:
        response_id = _response_of(connection, "fin")
        run_id = connection.scalar(text("SELECT id FROM scoring_runs WHERE frozen"))
        answer = connection.execute(
            text("SELECT question_id, option_id FROM answers WHERE response_id = :r"),
            {"r": response_id},
        ).one()
    campaign_id = finalised.id
    _refused(engine, "UPDATE responses SET status = 'excluded' WHERE id = :r", r=response_id)
    _refused(engine, "DELETE FROM answers WHERE response_id = :r", r=response_id)
    _refused(engine, "DELETE FROM responses WHERE id = :r", r=blank_id)
    _refused(engine, "UPDATE answers SET points = 0 WHERE response_id = :r", r=response_id)
    _refused(
        engine,
        "INSERT INTO responses (campaign_id, campaign_target_id, category,"
        " questionnaire_version_id, channel, status, flag_reasons, receipt_code, language,"
        " submitted_at) SELECT campaign_id, campaign_target_id, category,"
        " questionnaire_version_id, channel, status, flag_reasons, 'FORGED1', language,"
        " submitted_at FROM responses WHERE id = :r",
        r=response_id,
    )
    _refused(
        engine,
        "INSERT INTO answers (response_id, question_id, option_id, points)"
        " VALUES (:r, :q, NULL, 100)",
        r=response_id,
        q=answer.question_id,
    )
    _refused(
        engine,
        "INSERT INTO response_reviews (response_id, decision, reason, decided_at)"
        " VALUES (:r, 'excluded', 'x', CURRENT_TIMESTAMP)",
        r=response_id,
    )
    _refused(engine, "UPDATE scoring_runs SET result_json = '{}' WHERE id = :i", i=run_id)
    _refused(engine, "UPDATE scoring_runs SET frozen = :no WHERE id = :i", i=run_id, no=False)
    _refused(engine, "DELETE FROM scoring_runs WHERE id = :i", i=run_id)
    with engine.connect() as connection:
        earlier, live_run = connection.execute(
            text(
                "SELECT (SELECT min(id) FROM scoring_runs WHERE campaign_id = :c),"
                " (SELECT max(id) FROM scoring_runs WHERE campaign_id <> :c)"
            ),
            {"c": campaign_id},
        ).one()
    _refused(engine, "UPDATE scoring_runs SET frozen = :yes WHERE id = :i", i=earlier, yes=True)
    _refused(
        engine, "UPDATE scoring_runs SET campaign_id = :c WHERE id = :i", c=campaign_id, i=live_run
    )
    _refused(engine, "UPDATE campaigns SET status = 'closed' WHERE id = :c", c=campaign_id)
    _refused(engine, "DELETE FROM campaigns WHERE id = :c", c=campaign_id)
    _refused(engine, "UPDATE audit_log SET actor = 'someone else'")
    _refused(engine, "DELETE FROM audit_log")
    if engine.dialect.name == "postgresql":
        for table in ("audit_log", "responses", "answers", "scoring_runs"):
            _refused(engine, f"TRUNCATE {table} CASCADE")
        # A temporary table named like ours (any session may make one) changes nothing.
        with pytest.raises(DBAPIError, match="cannot change"), engine.begin() as connection:
            connection.execute(text("CREATE TEMP TABLE campaigns (id int, status text)"))
            connection.execute(
                text("INSERT INTO campaigns VALUES (:c, 'open')"), {"c": campaign_id}
            )
            connection.execute(text("DELETE FROM responses WHERE id = :r"), {"r": blank_id})
    else:
        # Another program's connection, without the app's recursive_triggers, replacing a row.
        raw = sqlite3.connect(make_url(str(engine.url)).database)
        try:
            for statement in (
                "INSERT OR REPLACE INTO audit_log (id, at, actor, action, sha256)"
                " VALUES (1, '2026-01-01 00:00:00', 'x', 'x', 'x')",
                f"INSERT OR REPLACE INTO responses SELECT * FROM responses WHERE id = {blank_id}",
            ):
                with pytest.raises(sqlite3.DatabaseError, match=r"append-only|cannot change"):
                    raw.execute(statement)
        finally:
            raw.close()

    # An open campaign's responses are still reviewed as before.
    with engine.begin() as connection:
        live = _response_of(connection, "live")
        connection.execute(
            text("UPDATE responses SET status = 'flagged' WHERE id = :r"), {"r": live}
        )
    # Publishing the league table after finalising stays possible.
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE campaigns SET league_published_at = NULL WHERE id = :c"),
            {"c": campaign_id},
        )


def _drop_guard(connection, name: str, table: str) -> None:
    """What an owner of the database can do: drop a trigger."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    else:
        connection.exec_driver_sql(f"DROP TRIGGER {name} ON {table}")


def _tamper_with_the_frozen_result(engine, *, also_hash: bool) -> tuple[int, float]:
    with engine.begin() as connection:
        guard = "scoring_runs_frozen_update" if engine.dialect.name == "sqlite" else None
        _drop_guard(connection, guard or "scoring_runs_frozen", "scoring_runs")
        run_id, body = connection.execute(
            text("SELECT id, result_json FROM scoring_runs WHERE frozen")
        ).one()
        result = json.loads(body)
        unit = next(t for t in result["targets"] if t["group"] == "unit")
        unit["composite"] = forged = 99.87
        changed = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
        values = {"body": changed, "id": run_id}
        if also_hash:
            import hashlib

            values["sha"] = hashlib.sha256(changed.encode()).hexdigest()
            connection.execute(
                text("UPDATE scoring_runs SET result_json = :body, result_sha256 = :sha"),
                values,
            )
        else:
            connection.execute(
                text("UPDATE scoring_runs SET result_json = :body WHERE id = :id"), values
            )
    return run_id, forged


@pytest.mark.parametrize("also_hash", [False, True], ids=["result", "result-and-its-hash"])
def test_a_changed_result_is_named_by_verify_and_never_served(
    app, finalised, session, client, runner, also_hash
):
    assert client.get("/public/fin").status_code == 200
    clean = runner.invoke(args=["verify"])
    assert clean.exit_code == 0, clean.output
    assert "every hash matches" in clean.output
    session.close()
    engine = get_database(app).engine
    run_id, forged = _tamper_with_the_frozen_result(engine, also_hash=also_hash)

    verified = runner.invoke(args=["verify", "fin"])
    assert verified.exit_code == 1
    assert f"scoring run {run_id} of fin" in verified.output
    page = client.get("/public/fin")
    assert page.status_code == 503
    body = page.get_data(as_text=True)
    assert f"{forged:.2f}" not in body and "完整性" in body
    refusals = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "integrity.result_refused")
    ).all()
    assert [entry.object_id for entry in refusals] == [str(run_id)]
    sign_in(client, "root")
    for path in ("ranking", f"scoring/{run_id}/result.json", f"scoring/{run_id}/input.json"):
        withheld = client.get(f"/leadership/campaigns/fin/{path}")
        assert withheld.status_code == 503, path
        assert f"{forged:.2f}" not in withheld.get_data(as_text=True)
    report = runner.invoke(args=["report", "fin", "--format", "csv", "-o", "/dev/null"])
    assert report.exit_code == 1 and "nothing was written" in report.output


def test_verify_finds_the_first_break_in_the_audit_chain(app, finalised, session, runner):
    for number in range(3):
        record(session, "test.entry", actor="tester", details={"n": number, "pair": (1, 2)})
    session.commit()
    entries = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    assert len(entries) >= 5
    assert walk_audit_chain(session).problem is None
    session.close()
    engine = get_database(app).engine
    middle, last = entries[1], entries[-1]
    with engine.begin() as connection:
        names = ("audit_log_append_only_update", "audit_log_append_only_delete")
        if engine.dialect.name == "sqlite":
            for name in names:
                _drop_guard(connection, name, "audit_log")
        else:
            _drop_guard(connection, "audit_log_append_only", "audit_log")
        connection.execute(
            text("UPDATE audit_log SET actor = 'nobody' WHERE id = :id"), {"id": last}
        )
        connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": middle})

    verified = runner.invoke(args=["verify"])
    assert verified.exit_code == 1
    assert f"audit entry {entries[2]} does not follow entry {entries[0]}" in verified.output
    assert f"audit entry {last}" not in verified.output, "the first break only"


def test_verify_finds_responses_changed_after_finalising(app, finalised, session, runner):
    session.close()
    engine = get_database(app).engine
    with engine.begin() as connection:
        _drop_guard(connection, "answers_finalised_update", "answers")
        response_id = _response_of(connection, "fin")
        connection.execute(
            text("UPDATE answers SET points = 0 WHERE response_id = :r"), {"r": response_id}
        )
    verified = runner.invoke(args=["verify", "fin"])
    assert verified.exit_code == 1
    assert "its responses no longer give the input of its frozen scoring run" in verified.output


def test_concurrent_writers_keep_one_chain(app, session):
    """Entries committed at once from several connections still form one chain."""
    database = get_database(app)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        for i in range(15):
            worker_session = database.session_factory()
            try:
                worker_session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
                record(worker_session, "test.write", actor=f"writer-{number}", details={"i": i})
                worker_session.commit()
            except BaseException as error:  # reported below
                failures.append(error)
            finally:
                worker_session.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 60
    report = walk_audit_chain(session)
    assert report.entries == 60 and report.problem is None
