"""Time and size of the ranked assessment report at a bureau's scale: 100 units, 300
service points and 2,000 cadres, about 44 responses each (32 residents, 6 grassroots, 6
service targets), scored by the real `scoring.score`, with a previous campaign's composites
for 80% of the targets.

    python benchmarks/report_rendering.py [--units 100] [--points-per-unit 3] [--cadres-per-unit 20]
        [--out DIR]

Prints the time to generate and score the campaign (for scale), then for each format the
wall time, the CPU time of this process and the size; for the PDF also the pages and the
time spent on its charts alone. Goals on a 2-core machine: PDF under 60 s, XLSX under 10 s.
`--out DIR` keeps the files for a look.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.assessment import (  # noqa: E402
    level_charts,
    levels,
    render_csv,
    render_pdf,
    render_xlsx,
)
from tests.reports.builders import report_input  # noqa: E402


def timed(label: str, work):
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    size = f"{len(value) / 1e6:8.2f} MB" if isinstance(value, bytes) else ""
    print(f"{label:<34} {wall:7.2f} s wall {cpu:7.2f} s cpu {size}", flush=True)
    return value


def pages(document: bytes) -> str:
    if shutil.which("pdfinfo") is None:
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(document)
        handle.flush()
        info = subprocess.run(
            ["pdfinfo", handle.name], capture_output=True, text=True, check=True, timeout=60
        ).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--points-per-unit", type=int, default=3)
    parser.add_argument("--cadres-per-unit", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args()

    report = timed(
        "generate and score the campaign",
        lambda: report_input(
            units=arguments.units,
            points_per_unit=arguments.points_per_unit,
            cadres_per_unit=arguments.cadres_per_unit,
            responses=(32, 6, 6),
            seed=2026,
        ),
    )
    counts = {level: 0 for level in levels(report)}
    for target in report.result["targets"]:
        counts[target["group"]] += 1
    responses = sum(
        category["n"]
        for target in report.result["targets"]
        for category in target["categories"].values()
    )
    print(f"targets {counts}, counted responses {responses:,}, previous {len(report.previous)}")

    csv_bytes = timed("CSV", lambda: render_csv(report))
    xlsx_bytes = timed("XLSX", lambda: render_xlsx(report))
    charts = timed(
        "charts alone (all levels)",
        lambda: {level: level_charts(report, level, titled=False) for level in levels(report)},
    )
    print(f"{'':<34} {sum(len(c) for c in charts.values())} charts")
    pdf_bytes = timed("PDF (tables, charts, units, method)", lambda: render_pdf(report))
    print(f"{'':<34} {pages(pdf_bytes)} pages")

    if arguments.out:
        arguments.out.mkdir(parents=True, exist_ok=True)
        for suffix, data in (("csv", csv_bytes), ("xlsx", xlsx_bytes), ("pdf", pdf_bytes)):
            (arguments.out / f"report.{suffix}").write_bytes(data)
        print(f"written to {arguments.out}")


if __name__ == "__main__":
    main()
