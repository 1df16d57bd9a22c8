"""Time `appraisal import-responses` on a generated file of 50,000 paper ballots.

    python benchmarks/import_paper_ballots.py [--ballots 50000] [--xlsx] [--database-url URL]

The demo instance (`appraisal demo`: 47 targets, an open campaign `demo`) is built first,
then a file of ballots for its targets is generated — residents at the windows (60% naming
the cadre who served) and at cadres, grassroots units and service targets at units and
cadres, with answers drawn like the demo's — and imported once.

Databases: a fresh SQLite file; then, when APPRAISAL_TEST_DATABASE_URL names a PostgreSQL
server, a fresh database made on it for the run and dropped afterwards. --database-url
uses that database instead (everything in it is deleted). Prints the time of each step
and ballots per second. Goal (issue 4): 50,000 ballots in reasonable time (under a
minute).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from scratch import scratch_postgres

RESIDENT_QUESTIONS = ["overall", "attitude", "efficiency", "integrity"]
LONG_QUESTIONS = [
    "overall",
    "attitude_courtesy",
    "attitude_patience",
    "efficiency_speed",
    "efficiency_coordination",
    "integrity_clean",
    "integrity_rules",
    "work_style_responsibility",
    "work_style_discipline",
]
NOT_APPLICABLE = {"integrity", "efficiency_coordination", "integrity_clean"}
LEVELS = ["very_dissatisfied", "dissatisfied", "neutral", "satisfied", "very_satisfied"]
COMMENTS = ["窗口人员很耐心", "办事效率高", "排队时间太长", "材料要求不清楚", "希望增加周末服务"]
COLUMNS = ["ballot", "target", "category", "served_by", "language"]
COLUMNS += [*dict.fromkeys(RESIDENT_QUESTIONS + LONG_QUESTIONS), "comment"]


def _answer(rng: random.Random, mood: float, question: str) -> str:
    if question in NOT_APPLICABLE and rng.random() < 0.08:
        return "not_applicable"
    level = round(rng.gauss(mood, 0.8))
    return LEVELS[min(4, max(0, level))]


def ballots(
    rng: random.Random,
    count: int,
    windows: dict[str, list[str]],
    cadres: list[str],
    units: list[str],
) -> Iterator[list[str]]:
    for n in range(count):
        row = dict.fromkeys(COLUMNS, "")
        row["ballot"] = f"BM-{n:06d}"
        draw = rng.random()
        if draw < 0.55:
            window = rng.choice(sorted(windows))
            row["target"] = f"service_point:{window}"
            if windows[window] and rng.random() < 0.6:
                row["served_by"] = rng.choice(windows[window])
            row["category"] = "residents"
        elif draw < 0.8:
            row["target"] = f"cadre:{rng.choice(cadres)}"
            row["category"] = "residents"
        else:
            kind, code = rng.choice([("unit", u) for u in units] + [("cadre", c) for c in cadres])
            row["target"] = f"{kind}:{code}"
            row["category"] = rng.choice(["grassroots", "service_targets"])
        row["language"] = "en" if rng.random() < 0.05 else ""
        mood = rng.gauss(3.2, 0.6)
        questions = RESIDENT_QUESTIONS if row["category"] == "residents" else LONG_QUESTIONS
        for question in questions:
            row[question] = _answer(rng, mood, question)
        if rng.random() < 0.15:
            row["comment"] = rng.choice(COMMENTS)
        yield [row[column] for column in COLUMNS]


def generate(path: Path, count: int, session) -> None:
    from sqlalchemy import select

    from appraisal_engine.models import Cadre, CampaignTarget, ServicePoint, Unit

    targets = session.execute(
        select(CampaignTarget.kind, Unit.code, ServicePoint, Cadre.code)
        .outerjoin(Unit, CampaignTarget.unit_id == Unit.id)
        .outerjoin(ServicePoint, CampaignTarget.service_point_id == ServicePoint.id)
        .outerjoin(Cadre, CampaignTarget.cadre_id == Cadre.id)
    ).all()
    windows = {
        point.code: sorted(c.code for c in point.cadres if c.active)
        for kind, _, point, _ in targets
        if kind == "service_point"
    }
    units = sorted(unit for kind, unit, _, _ in targets if kind == "unit")
    cadres = sorted(cadre for kind, _, _, cadre in targets if kind == "cadre")
    rows = ballots(random.Random(2026), count, windows, cadres, units)
    if path.suffix == ".xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("ballots")
        sheet.append(COLUMNS)
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(rows)


def run(database_url: str | None, count: int, suffix: str, directory: Path) -> None:
    os.environ["APPRAISAL_INSTANCE_PATH"] = str(directory)
    os.environ["APPRAISAL_SECRET_KEY"] = "benchmark"
    if database_url:
        os.environ["APPRAISAL_DATABASE_URL"] = database_url
    else:
        os.environ.pop("APPRAISAL_DATABASE_URL", None)
    from appraisal_engine import create_app
    from appraisal_engine.db import get_database
    from appraisal_engine.services.demo import reset_database

    app = create_app()
    engine = get_database(app).engine
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    reset_database(engine)
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["demo"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    print(f"  demo instance built in {time.perf_counter() - started:.2f} s")

    path = directory / f"ballots{suffix}"
    started = time.perf_counter()
    with app.app_context():
        session = get_database(app).session_factory()
        generate(path, count, session)
        session.close()
    print(
        f"  generated {path.name} with {count} ballots ({path.stat().st_size / 1024:.0f} KiB) "
        f"in {time.perf_counter() - started:.2f} s"
    )
    started = time.perf_counter()
    result = runner.invoke(args=["import-responses", "demo", str(path)])
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output[:5000])
    print(f"  import: {elapsed:.2f} s, {count / elapsed:,.0f} ballots/s — {result.output.strip()}")
    if database_url:
        reset_database(engine)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--xlsx", action="store_true", help="an .xlsx file instead of .csv")
    parser.add_argument("--database-url", help="use this database (everything in it is deleted)")
    args = parser.parse_args()
    suffix = ".xlsx" if args.xlsx else ".csv"

    if args.database_url:
        with tempfile.TemporaryDirectory() as directory:
            run(args.database_url, args.ballots, suffix, Path(directory))
        return
    with tempfile.TemporaryDirectory() as directory:
        run(None, args.ballots, suffix, Path(directory))
    server = os.environ.get("APPRAISAL_TEST_DATABASE_URL")
    if server:
        with tempfile.TemporaryDirectory() as directory, scratch_postgres(server) as url:
            run(url, args.ballots, suffix, Path(directory))


if __name__ == "__main__":
    main()
