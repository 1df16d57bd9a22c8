"""Leadership's dashboard, ranking, charts and reports, and the public league table:
every figure from the stored run, a scoped leader sees only their subtree."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from appraisal_engine.cli import write_or_fail
from appraisal_engine.models import AuditEntry
from appraisal_engine.services.scoring_runs import run_scoring

from .test_auth import csrf_token, sign_in


@pytest.fixture
def world(factories, session):
    city = factories.unit(code="U01", name_zh="市政务服务中心")
    district = factories.unit(code="U02", name_zh="城东分中心", parent=city)
    points = [
        factories.service_point(unit=unit, code=f"W0{n}")
        for n, unit in enumerate([city, district], start=1)
    ]
    cadres = [
        factories.cadre(unit=unit, code=f"C0{n}", name_zh=name)
        for n, (unit, name) in enumerate(
            [(city, "张三"), (city, '=HYPERLINK("x")'), (district, "王五")], start=1
        )
    ]
    campaign = factories.campaign(
        code="y2026",
        name_zh="2026年度测评",
        targets=[city, district, *points, *cadres],
        status="closed",
    )
    for category in campaign.categories:
        category.min_responses = 2
    for n, subject in enumerate([*points, *cadres]):
        for _ in range(2 + n % 3):
            factories.response(campaign, subject)
    factories.response(campaign, cadres[0], status="flagged", flag_reasons=["burst"])
    factories.user("leader", username="boss")
    factories.user("leader", username="east", unit_code="U02")
    factories.user("cadre", username="zhang", cadre_code="C01")
    session.commit()
    return campaign


@pytest.fixture
def run(world, session):
    run = run_scoring(session, world)
    session.commit()
    return run


def test_the_dashboard_counts_responses_per_day_and_status(client, world):
    sign_in(client, "boss")
    page = client.get("/leadership/campaigns/y2026").get_data(as_text=True)
    assert "待审核" in page or "Flagged" in page
    assert "<dd>14</dd>" in page and "<dd>1</dd>" in page, "14 counted, 1 flagged"
    chart = client.get("/leadership/campaigns/y2026/activity.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")


def test_the_ranking_equals_the_stored_run_and_sorts_and_filters(client, world, run):
    result = {t["id"]: t for t in json.loads(run.result_json)["targets"]}
    sign_in(client, "boss")
    page = client.get("/leadership/campaigns/y2026/ranking?level=cadre").get_data(as_text=True)
    for key in ("cadre:C01", "cadre:C03"):
        assert f"{result[key]['composite']:.2f}" in page
    assert "&#34;" in page or "&quot;" in page, "names are escaped"
    assert '=HYPERLINK("x")' not in page
    filtered = client.get("/leadership/campaigns/y2026/ranking?level=cadre&unit=U02")
    text = filtered.get_data(as_text=True)
    assert "王五" in text and "张三" not in text
    by_name = client.get("/leadership/campaigns/y2026/ranking?level=cadre&sort=name&order=asc")
    assert by_name.status_code == 200
    assert client.get("/leadership/campaigns/y2026/ranking?level=x").status_code == 400
    assert client.get("/leadership/campaigns/y2026/ranking?sort=x").status_code == 400
    charts = "/leadership/campaigns/y2026/charts/cadre"
    assert client.get(f"{charts}/composite.png").data[:4] == b"\x89PNG"
    assert client.get(f"{charts}/nope.png").status_code == 404


def test_reports_download_in_three_formats_equal_to_the_run_and_audited(
    client, world, run, session
):
    result = {t["id"]: t for t in json.loads(run.result_json)["targets"]}
    sign_in(client, "boss")
    base = "/leadership/campaigns/y2026/report"
    csv_body = client.get(f"{base}.csv").data
    assert csv_body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    composites = {float(value) for row in rows[1:] for value in row if _is_float(value)}
    assert result["cadre:C01"]["composite"] in composites
    assert any('\'=HYPERLINK("x")' in row for row in rows), "formula neutralised"
    workbook = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data))
    assert len(workbook.sheetnames) >= 3
    pdf = client.get(f"{base}.pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.headers["Content-Disposition"].startswith("attach")
    again = client.get(f"{base}.pdf")
    assert again.data == pdf.data, "the same report is served from the instance folder"
    session.rollback()
    downloads = session.scalars(select(AuditEntry).where(AuditEntry.action == "download")).all()
    assert len(downloads) == 4 and len({d.user_id for d in downloads}) == 1


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return "." in value


def test_a_scoped_leader_sees_only_their_subtree(client, world, run):
    sign_in(client, "east")
    page = client.get("/leadership/campaigns/y2026/ranking?level=cadre").get_data(as_text=True)
    assert "王五" in page and "张三" not in page
    units = client.get("/leadership/campaigns/y2026/ranking?level=unit").get_data(as_text=True)
    assert "城东分中心" in units and "市政务服务中心" not in units
    body = client.get("/leadership/campaigns/y2026/report.csv").data.decode("utf-8-sig")
    assert "王五" in body and "张三" not in body and "C01" not in body
    token = csrf_token(client, "/leadership/campaigns/y2026/ranking")
    refused = client.post(
        "/leadership/campaigns/y2026/publish", data={"csrf_token": token, "publish": "1"}
    )
    assert refused.status_code == 403


def test_the_units_league_table_is_public_once_published(client, world, run, session):
    sign_in(client, "boss")
    token = csrf_token(client, "/leadership/campaigns/y2026/ranking")
    early = client.post(
        "/leadership/campaigns/y2026/publish", data={"csrf_token": token, "publish": "1"}
    )
    assert early.status_code == 409, "only a finalised campaign"
    assert client.get("/public/y2026").status_code == 404
    run.frozen = True
    world.status = "finalised"
    session.commit()
    published = client.post(
        "/leadership/campaigns/y2026/publish", data={"csrf_token": token, "publish": "1"}
    )
    assert published.status_code == 302
    client.post("/logout", data={"csrf_token": token})
    public = client.get("/public/y2026").get_data(as_text=True)
    units = {t["id"]: t for t in json.loads(run.result_json)["targets"] if t["group"] == "unit"}
    assert "城东分中心" in public and f"{units['unit:U02']['composite']:.2f}" in public
    assert "张三" not in public and "王五" not in public, "never individual cadres"
    sign_in(client, "boss")
    token = csrf_token(client, "/leadership/campaigns/y2026/ranking")
    client.post("/leadership/campaigns/y2026/publish", data={"csrf_token": token, "publish": "0"})
    assert client.get("/public/y2026").status_code == 404


def test_the_report_command_writes_each_format(runner, world, run, tmp_path):
    for fmt in ("pdf", "xlsx", "csv"):
        path = tmp_path / f"report.{fmt}"
        written = runner.invoke(args=["report", "y2026", "--format", fmt, "-o", str(path)])
        assert written.exit_code == 0, written.output
        assert "provisional" in written.output and path.stat().st_size > 100
    missing = runner.invoke(args=["report", "nope", "--format", "csv", "-o", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "no campaign" in missing.output
    nowhere = tmp_path / "no-such-folder" / "report.csv"
    refused = runner.invoke(args=["report", "y2026", "--format", "csv", "-o", str(nowhere)])
    assert refused.exit_code == 1 and f"cannot write {nowhere}" in refused.output


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_a_write_that_fails_midway_leaves_the_earlier_file_whole(tmp_path, capsys):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"the earlier report")

    def pieces():
        yield b"half of a new report"
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(SystemExit) as stopped:
        write_or_fail(path, pieces())
    assert stopped.value.code == 1
    assert f"cannot write {path}: No space left on device" in capsys.readouterr().err
    assert path.read_bytes() == b"the earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]

    def broken():
        yield b"half"
        raise RuntimeError("the document could not be made")

    with pytest.raises(RuntimeError):
        write_or_fail(path, broken())
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    write_or_fail(tmp_path / "new.csv", [b"a,b\r\n"])
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o666 & ~current_umask()


def test_a_scoped_leader_counts_only_their_subtree(client, world):
    sign_in(client, "east")
    index = client.get("/leadership/").get_data(as_text=True)
    assert '<td class="num">6</td><td class="num">0</td>' in index, "6 counted, 0 flagged"
    dashboard = client.get("/leadership/campaigns/y2026").get_data(as_text=True)
    assert "<dd>6</dd>" in dashboard and "<dd>14</dd>" not in dashboard
