"""Time `appraisal import-org` on a generated XLSX file with 5,000 cadres.

    python benchmarks/import_org.py [--cadres 5000] [--database-url URL]

Without --database-url a fresh SQLite file is used. The file is imported twice: the first
run creates everything, the second finds nothing to change (the idempotent path).
Prints the time of each run. Goal (issue 2): under 10 s for 5,000 cadres.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽华", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]


def generate(path: Path, cadres: int) -> None:
    units = max(5, cadres // 50)
    windows = max(8, cadres // 15)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("org")
    sheet.append(
        [
            "kind",
            "code",
            "parent",
            "name_zh",
            "name_en",
            "position_zh",
            "position_en",
            "location_zh",
            "location_en",
            "service_points",
        ]
    )
    sheet.append(
        [
            "unit",
            "BUREAU",
            "",
            "某市政务服务管理局",
            "City Government Services Bureau",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    for u in range(units):
        parent = "BUREAU" if u < 10 else f"U{u % 10:04d}"
        sheet.append(
            ["unit", f"U{u:04d}", parent, f"第{u}科室", f"Section {u}", "", "", "", "", ""]
        )
    for w in range(windows):
        sheet.append(
            [
                "service_point",
                f"W{w:05d}",
                f"U{w % units:04d}",
                f"{w}号窗口",
                f"Window {w}",
                "",
                "",
                f"{w // 20 + 1}楼",
                f"Floor {w // 20 + 1}",
                "",
            ]
        )
    for c in range(cadres):
        name = SURNAMES[c % len(SURNAMES)] + GIVEN[(c // len(SURNAMES)) % len(GIVEN)]
        serves = f"W{c % windows:05d}" if c % 3 else ""
        sheet.append(
            [
                "cadre",
                f"C{c:06d}",
                f"U{c % units:04d}",
                name,
                f"Cadre {c}",
                "科员",
                "Clerk",
                "",
                "",
                serves,
            ]
        )
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=5000)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        os.environ["APPRAISAL_INSTANCE_PATH"] = directory
        os.environ["APPRAISAL_SECRET_KEY"] = "benchmark"
        if args.database_url:
            os.environ["APPRAISAL_DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("APPRAISAL_DATABASE_URL", None)
        from appraisal_engine import create_app
        from appraisal_engine.db import get_database
        from appraisal_engine.services.demo import reset_database

        path = Path(directory) / "org.xlsx"
        started = time.perf_counter()
        generate(path, args.cadres)
        print(
            f"generated {path.name} with {args.cadres} cadres "
            f"({path.stat().st_size / 1024:.0f} KiB) in {time.perf_counter() - started:.2f} s"
        )

        app = create_app()
        engine = get_database(app).engine
        print(f"database: {engine.url.render_as_string(hide_password=True)}")
        reset_database(engine)
        runner = app.test_cli_runner()
        assert runner.invoke(args=["init-db"]).exit_code == 0
        for label in ("first import (creates)", "second import (no changes)"):
            started = time.perf_counter()
            result = runner.invoke(args=["import-org", str(path)])
            elapsed = time.perf_counter() - started
            if result.exit_code != 0:
                raise SystemExit(result.output)
            print(f"{label}: {elapsed:.2f} s — {result.output.strip()}")
        if args.database_url:
            reset_database(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
