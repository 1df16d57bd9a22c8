"""Score a campaign of 1,000,000 responses from the database to a stored scoring run, on
SQLite and on PostgreSQL, next to one bare SQL query that averages the same answers.

    python benchmarks/scoring_from_database.py [--responses 1000000] [--targets 2000]
        [--only sqlite|postgresql] [--database-url URL]

For each database: a fresh database (an SQLite file; on the PostgreSQL server of
APPRAISAL_TEST_DATABASE_URL a database made for the run and dropped afterwards, or
--database-url, which is emptied) gets the schema, an organisation of 2,000 targets
(5% units, 15% service windows, 80% cadres), three questionnaires of 8 scored
five-level questions, an open campaign, and the responses with their answers, generated
in SQL (70% residents, 20% grassroots, 10% service targets; half of the residents at a
window name the cadre who served them). Then, in a fresh process so that its peak memory
is its own:
- the bare query: `SELECT target, AVG(points) … GROUP BY target` over the campaign's
  counted answers, once to warm the cache and once timed;
- `run_scoring` exactly as `appraisal score` does it, committed, with its split: reading
  (the SQL pivots and the arrays), scoring, serialising the audit documents (the canonical
  input and the result, and their SHA-256), storing (insert and commit);
- the ratio to the bare query and the process's peak RSS.
Goal (issue 5): the run within 8× the bare query, and under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch import scratch_postgres  # noqa: E402

CATEGORIES = ("residents", "grassroots", "service_targets")
INDICATORS = ("attitude", "efficiency", "integrity", "work_style")


def questionnaire(category: str) -> dict:
    """Eight scored five-level questions, two per indicator."""
    from forms.standard import FORMAT, satisfaction_options

    return {
        "format": FORMAT,
        "code": f"bench-{category.replace('_', '-')}",
        "title": {"zh": f"基准问卷 {category}", "en": f"Benchmark {category}"},
        "indicators": [
            {"id": indicator, "name": {"zh": indicator, "en": indicator}, "weight": 0.25}
            for indicator in INDICATORS
        ],
        "questions": [
            {
                "id": f"{indicator}_{n}",
                "type": "satisfaction5",
                "text": {"zh": f"问题 {indicator} {n}", "en": f"Question {indicator} {n}"},
                "required": True,
                "indicator": indicator,
                "weight": 1.0 + 0.5 * (n - 1),
                "options": satisfaction_options(),
            }
            for indicator in INDICATORS
            for n in (1, 2)
        ],
    }


def build_campaign(session, targets: int) -> int:
    """The organisation, questionnaires and an open campaign; returns the campaign's id."""
    from appraisal_engine.models import (
        DEFAULT_CATEGORY_PARAMS,
        Cadre,
        Campaign,
        CampaignCategory,
        CampaignTarget,
        ServicePoint,
        Unit,
    )
    from appraisal_engine.services.questionnaires import store_version

    unit_count = max(1, targets // 20)
    point_count = max(1, targets * 3 // 20)
    cadre_count = targets - unit_count - point_count
    units = [
        Unit(code=f"U{n:04d}", name_zh=f"单位{n}", name_en=f"Unit {n}") for n in range(unit_count)
    ]
    session.add_all(units)
    points = [
        ServicePoint(code=f"W{n:04d}", name_zh=f"{n}号窗口", unit=units[n % unit_count])
        for n in range(point_count)
    ]
    cadres = [
        Cadre(code=f"C{n:05d}", name_zh=f"干部{n}", unit=units[n % unit_count])
        for n in range(cadre_count)
    ]
    session.add_all(points + cadres)
    for n, point in enumerate(points):
        point.cadres = [cadres[(n + k * point_count) % cadre_count] for k in range(2)]
    campaign = Campaign(
        code="bench",
        name_zh="基准测评",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        status="open",
    )
    campaign.categories = [
        CampaignCategory(
            category=category,
            questionnaire_version=store_version(session, questionnaire(category), publish=True),
            weight=DEFAULT_CATEGORY_PARAMS[category][0],
            min_responses=DEFAULT_CATEGORY_PARAMS[category][1],
        )
        for category in CATEGORIES
    ]
    campaign.targets = (
        [CampaignTarget(kind="unit", unit=unit) for unit in units]
        + [CampaignTarget(kind="service_point", service_point=point) for point in points]
        + [CampaignTarget(kind="cadre", cadre=cadre) for cadre in cadres]
    )
    session.add(campaign)
    session.commit()
    return campaign.id


def generate_responses(engine, campaign_id: int, count: int) -> None:
    """The responses and their answers, by INSERT … SELECT in the database itself.

    Response i goes to target (i·7919 mod T) in category residents (i mod 10 < 7),
    grassroots (< 9) or service targets; a target's mood (its id mod 3) and a hash of
    response and question pick option 0..4, so targets differ and ranks are not all tied."""
    postgres = engine.dialect.name == "postgresql"
    numbers = (
        "SELECT generate_series(CAST(0 AS BIGINT), :count - 1) AS i"
        if postgres
        else "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :count - 1)"
        " SELECT i FROM n"
    )
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TEMPORARY TABLE bench_targets AS SELECT t.id AS target_id,"
                " (SELECT min(cs.cadre_id) FROM cadre_service_points cs"
                "  WHERE cs.service_point_id = t.service_point_id) AS served_by,"
                " row_number() OVER (ORDER BY t.id) - 1 AS k"
                " FROM campaign_targets t WHERE t.campaign_id = :campaign"
            ),
            {"campaign": campaign_id},
        )
        target_count = connection.scalar(text("SELECT count(*) FROM bench_targets"))
        versions = dict(
            connection.execute(
                text(
                    "SELECT category, questionnaire_version_id FROM campaign_categories"
                    " WHERE campaign_id = :campaign"
                ),
                {"campaign": campaign_id},
            ).all()
        )
        category = "CASE WHEN n.i % 10 < 7 THEN 'residents' WHEN n.i % 10 < 9 THEN 'grassroots'"
        category += " ELSE 'service_targets' END"
        version = (
            f"CASE WHEN n.i % 10 < 7 THEN {versions['residents']}"
            f" WHEN n.i % 10 < 9 THEN {versions['grassroots']}"
            f" ELSE {versions['service_targets']} END"
        )
        now = "now()" if postgres else "'2026-06-01 08:00:00.000000'"
        connection.execute(
            text(
                "INSERT INTO responses (campaign_id, campaign_target_id, category,"
                " questionnaire_version_id, channel, status, flag_reasons, receipt_code,"
                " served_by_cadre_id, language, submitted_at)"
                f" SELECT :campaign, t.target_id, {category}, {version}, 'web', 'counted', '[]',"
                " 'B' || CAST(n.i AS TEXT),"
                " CASE WHEN n.i % 10 < 7 AND n.i % 2 = 0 THEN t.served_by END, 'zh',"
                f" {now} FROM ({numbers}) n JOIN bench_targets t ON t.k = (n.i * 7919) % :targets"
            ),
            {"campaign": campaign_id, "count": count, "targets": target_count},
        )
        connection.execute(
            text(
                "INSERT INTO answers (response_id, question_id, option_id, points)"
                " SELECT r.id, o.question_id, o.id, o.points FROM responses r"
                " JOIN questions q ON q.version_id = r.questionnaire_version_id"
                " JOIN options o ON o.question_id = q.id AND o.position ="
                "  (r.campaign_target_id % 3 + (r.id * 31 + q.id * 17) % 3)"
                " WHERE r.campaign_id = :campaign"
            ),
            {"campaign": campaign_id},
        )
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


BARE_QUERY = (
    "SELECT r.campaign_target_id, AVG(a.points) FROM answers a"
    " JOIN responses r ON r.id = a.response_id"
    " WHERE r.campaign_id = :campaign AND r.status = 'counted' AND a.points IS NOT NULL"
    " GROUP BY r.campaign_target_id"
)


def measure(campaign_code: str) -> dict:
    """In this process: the bare query (warm-up, then timed), then the scoring run."""
    from appraisal_engine import create_app
    from appraisal_engine.db import get_database
    from appraisal_engine.queries.campaigns import campaign_by_code
    from appraisal_engine.services.scoring_runs import run_scoring
    from scoring.documents import input_pieces

    app = create_app()
    database = get_database(app)
    with app.app_context():
        session = database.session_factory()
        campaign = session.scalar(campaign_by_code(campaign_code))
        bare = []
        for _ in range(2):
            started = time.perf_counter()
            averages = session.execute(text(BARE_QUERY), {"campaign": campaign.id}).all()
            bare.append(time.perf_counter() - started)
        session.rollback()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        run = run_scoring(session, campaign, actor="benchmark", timings=timings)
        stored = time.perf_counter()
        session.commit()
        timings["storing"] += time.perf_counter() - stored
        total = time.perf_counter() - started
        figures = {
            "bare_query_cold_s": bare[0],
            "bare_query_s": bare[1],
            "bare_rows": len(averages),
            "total_s": total,
            "split_s": timings,
            "input_gzip_bytes": len(run.input_gzip),
            "input_bytes": sum(len(piece) for piece in input_pieces(run.input_gzip)),
            "result_bytes": len(run.result_json.encode("utf-8")),
            "document_responses": _document_responses(session),
            "input_sha256": run.input_sha256,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        session.close()
    return figures


def _document_responses(session) -> int:
    from sqlalchemy import select

    from appraisal_engine.models import AuditEntry

    entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    return int(entry.details["responses"])


def run(
    database_url: str | None, responses: int, targets: int, directory: Path, keep: bool = False
) -> None:
    environment = {
        "APPRAISAL_INSTANCE_PATH": str(directory),
        "APPRAISAL_SECRET_KEY": "benchmark",
    }
    os.environ.update(environment)
    if database_url:
        os.environ["APPRAISAL_DATABASE_URL"] = database_url
    else:
        os.environ.pop("APPRAISAL_DATABASE_URL", None)
    from appraisal_engine import create_app
    from appraisal_engine.db import get_database
    from appraisal_engine.migrate import upgrade
    from appraisal_engine.services.demo import reset_database

    app = create_app()
    engine = get_database(app).engine
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    reset_database(engine)
    upgrade(engine)
    started = time.perf_counter()
    with app.app_context():
        session = get_database(app).session_factory()
        campaign_id = build_campaign(session, targets)
        session.close()
    generate_responses(engine, campaign_id, responses)
    with engine.connect() as connection:
        answers = connection.scalar(text("SELECT count(*) FROM answers"))
    print(
        f"  generated {responses:,} responses, {answers:,} answers, {targets:,} targets"
        f" in {time.perf_counter() - started:.1f} s"
    )
    engine.dispose()
    child = subprocess.run(
        [sys.executable, __file__, "--measure", "bench"],
        env={**os.environ},
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(child.stderr[-5000:])
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    split = figures["split_s"]
    bare = figures["bare_query_s"]
    print(
        f"  bare averaging query: {bare:.2f} s ({figures['bare_rows']:,} targets;"
        f" cold {figures['bare_query_cold_s']:.2f} s)"
    )
    print(
        f"  scoring run: {figures['total_s']:.2f} s = {figures['total_s'] / bare:.1f}× the bare"
        f" query (goal ≤ 8×); peak RSS {figures['peak_rss_mib']:,.0f} MiB (goal < 2,048)"
    )
    print(
        "    "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in split.items())
        + f"; {figures['document_responses']:,} responses in the document"
        f" (copies to units and named cadres included); input {figures['input_bytes'] / 2**20:.0f}"
        f" MiB of JSON stored as {figures['input_gzip_bytes'] / 2**20:.0f} MiB of gzip,"
        f" result {figures['result_bytes'] / 2**20:.1f} MiB"
    )
    if database_url and not keep:
        reset_database(get_database(app).engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--targets", type=int, default=2_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--database-url", help="use this database (everything in it is deleted)")
    parser.add_argument(
        "--keep", action="store_true", help="leave the --database-url database filled"
    )
    parser.add_argument("--measure", metavar="CAMPAIGN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.database_url:
        with tempfile.TemporaryDirectory() as directory:
            run(args.database_url, args.responses, args.targets, Path(directory), args.keep)
        return
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as directory:
            run(None, args.responses, args.targets, Path(directory))
    server = os.environ.get("APPRAISAL_TEST_DATABASE_URL")
    if args.only != "sqlite":
        if not server:
            print("PostgreSQL: skipped (set APPRAISAL_TEST_DATABASE_URL to a server)")
            return
        with tempfile.TemporaryDirectory() as directory, scratch_postgres(server) as url:
            run(url, args.responses, args.targets, Path(directory))


if __name__ == "__main__":
    main()
