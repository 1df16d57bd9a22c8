"""The downloaded reports say whether they are provisional (an open campaign's latest run)
or final (the frozen run of a finalised campaign), in their text and in their file name;
the report cache never serves a file whose mark went stale."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from appraisal_engine.services.scoring_runs import run_scoring

from .test_auth import sign_in

BASE = "/leadership/campaigns/y2026/report"
#: The marks' labels (status, run, input SHA-256, computed at), the "label: value" form and
#: the two statuses, as msgids: the expected words are the app's own translations of them,
#: so the test reads the Chinese download in the Chinese the app ships.
LABELS = ["Report status", "Scoring run", "Input SHA-256", "Computed at"]
STATUSES = {"provisional": "Provisional", "final": "Final"}


def translated(app, language: str, message: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message)


@pytest.fixture
def run(factories, session):
    unit = factories.unit(code="U01", name_zh="市政务服务中心", name_en="City Service Centre")
    point = factories.service_point(unit=unit, code="W01")
    cadres = [factories.cadre(unit=unit, code=f"C0{n}") for n in (1, 2)]
    campaign = factories.campaign(
        code="y2026", name_zh="2026年度测评", targets=[unit, point, *cadres], status="closed"
    )
    for category in campaign.categories:
        category.min_responses = 2
    for subject in (point, *cadres):
        for _ in range(3):
            factories.response(campaign, subject)
    factories.user("leader", username="boss")
    session.commit()
    run = run_scoring(session, campaign)
    session.commit()
    return run


def computed_at(app, run) -> str:
    """The run's time as the reports show it: in the bureau's time zone, with its offset."""
    local = run.created_at.astimezone(ZoneInfo(app.config["TIMEZONE"]))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def expected_pairs(app, run, status: str, language: str) -> list[list[str]]:
    labels = [translated(app, language, label) for label in LABELS]
    status_word = translated(app, language, STATUSES[status])
    values = [status_word, str(run.id), run.input_sha256, computed_at(app, run)]
    return [list(pair) for pair in zip(labels, values, strict=True)]


def expected_lines(app, run, status: str, language: str) -> list[str]:
    form = translated(app, language, "%(label)s: %(value)s")
    return [
        form % {"label": label, "value": value}
        for label, value in expected_pairs(app, run, status, language)
    ]


def pdf_text(body: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("reading the PDF's text needs pdftotext (apt-get install -y poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def check_downloads(client, app, run, status: str, language: str, tmp_path) -> None:
    label = translated(app, language, STATUSES[status])
    lines = expected_lines(app, run, status, language)
    query = f"?lang={language}"

    got = client.get(f"{BASE}.csv{query}")
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert got.headers["Content-Disposition"] == (
        f'attachment; filename="y2026-{status}-run{run.id}-report.csv"'
    )
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"), newline="")))
    assert rows[:5] == [*expected_pairs(app, run, status, language), []]

    got = client.get(f"{BASE}.xlsx{query}")
    assert got.headers["Content-Disposition"].endswith(f'-{status}-run{run.id}-report.xlsx"')
    book = load_workbook(io.BytesIO(got.data))
    for sheet in book.worksheets:
        for line in lines:
            assert line in sheet["A1"].value, (sheet.title, line)
            assert line in sheet.oddHeader.center.text, (sheet.title, line)
        assert sheet.oddFooter.left.text == label

    got = client.get(f"{BASE}.pdf{query}")
    assert got.headers["Content-Disposition"].endswith(f'-{status}-run{run.id}-report.pdf"')
    pages = [page for page in pdf_text(got.data, tmp_path).split("\f") if page.strip()]
    assert len(pages) > 2
    for page in pages:
        for line in lines:
            assert line in page, line


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_open_campaigns_reports_are_provisional_a_finalised_ones_final(
    client, app, session, run, language, tmp_path
):
    sign_in(client, "boss")
    check_downloads(client, app, run, "provisional", language, tmp_path)
    # The same run, now frozen: the cached provisional files must not be served again.
    run.frozen = True
    run.campaign.status = "finalised"
    session.commit()
    check_downloads(client, app, run, "final", language, tmp_path)


def test_a_frozen_run_of_a_campaign_not_finalised_is_still_provisional(
    client, app, session, run, tmp_path
):
    run.frozen = True
    session.commit()
    sign_in(client, "boss")
    got = client.get(f"{BASE}.csv")
    assert "provisional" in got.headers["Content-Disposition"]
    marks = expected_pairs(app, run, "provisional", "zh")
    assert got.data.decode("utf-8-sig").startswith(",".join(marks[0]) + "\r\n")


@pytest.mark.parametrize(("finalised", "language"), [(False, "zh"), (True, "en")])
def test_the_report_command_marks_its_files(
    runner, app, session, run, tmp_path, finalised, language
):
    if finalised:
        run.frozen = True
        run.campaign.status = "finalised"
        session.commit()
    path = tmp_path / "report.csv"
    written = runner.invoke(
        args=["report", "y2026", "--format", "csv", "-o", str(path), "--lang", language]
    )
    assert written.exit_code == 0, written.output
    assert ("(final)" if finalised else "(provisional") in written.output
    status = "final" if finalised else "provisional"
    first = ",".join(expected_pairs(app, run, status, language)[0])
    assert path.read_bytes().decode("utf-8-sig").startswith(first + "\r\n")
