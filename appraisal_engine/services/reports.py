"""The ranked assessment report as files: rendered by `reports.assessment`, kept in the
instance folder so that the same report is rendered once (a city's PDF takes a while).

A cached file is reused only when everything it shows is the same: the run, the format,
the language, its marks (provisional or final, the input SHA-256, when the run was
computed), the targets shown with their names and units, and the previous campaign's
figures. Only the time it says it was generated is that of the first rendering."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from reports.assessment import ReportInput, render_csv, render_pdf, render_xlsx

from ..models import Campaign, ScoringRun

#: Format → (MIME type, renderer). Werkzeug adds "; charset=utf-8" to a text/* type.
REPORT_FORMATS: dict[str, tuple[str, Callable[[ReportInput], bytes]]] = {
    "pdf": ("application/pdf", render_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", render_xlsx),
    "csv": ("text/csv", render_csv),
}


def render_report(report: ReportInput, fmt: str) -> bytes:
    return REPORT_FORMATS[fmt][1](report)


def report_filename(campaign_code: str, run_id: int, final: bool, fmt: str) -> str:
    """A download's file name, saying whether the report is final or provisional
    ("demo-provisional-run7-report.pdf"): the file travels without the page around it."""
    status = "final" if final else "provisional"
    return f"{campaign_code}-{status}-run{run_id}-report.{fmt}"


def _fingerprint(report: ReportInput, fmt: str, language: str) -> str:
    shown = {
        "format": fmt,
        "language": language,
        "campaign": [report.campaign_code, report.campaign_name],
        "run": [str(report.run_id), report.result_sha256],
        "marks": [report.status, report.input_sha256, report.computed_at.isoformat()],
        "targets": sorted(target["id"] for target in report.result["targets"]),
        "names": sorted(
            [key, info.name, info.unit_id or "", info.unit_name or ""]
            for key, info in report.targets.items()
        ),
        "indicators": sorted(report.indicator_names.items()),
        "previous": sorted((key, value) for key, value in report.previous.items()),
    }
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:32]


def cached_report(
    campaign: Campaign,
    run: ScoringRun,
    fmt: str,
    language: str,
    scope: str,
    build: Callable[[], ReportInput],
) -> bytes:
    """The report's bytes, rendered now or read from the instance folder."""
    report = build()
    folder = Path(current_app.instance_path) / "reports"
    name = f"{campaign.id}-{run.id}-{scope}-{_fingerprint(report, fmt, language)}.{fmt}"
    path = folder / name
    if path.is_file():
        return path.read_bytes()
    body = render_report(report, fmt)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".part") as handle:
        handle.write(body)
    os.replace(handle.name, path)  # atomic: a reader sees the whole file or none
    return body
