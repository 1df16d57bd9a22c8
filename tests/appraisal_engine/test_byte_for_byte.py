"""The demo's stored scoring runs and its CSV report, byte for byte.

The constants were recorded from the code of main at 2bcd414, before the tidy-up of issue
13: a refactoring must leave the stored input and result documents (their SHA-256, length
and first bytes) and the rendered report exactly as they were. The demo's clock is frozen
and its seed fixed; the report's two times (when it was generated, when the run was
computed) are pinned, as they are the only values that depend on when the test runs.
Random tokens (link tokens, receipt codes, passwords) appear in neither document."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

import appraisal_engine.services.demo as demo
from appraisal_engine.models import Campaign, ScoringRun
from appraisal_engine.services.assessment import report_input
from appraisal_engine.services.reports import render_report
from scoring.documents import input_pieces

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW if tz is None else NOW.astimezone(tz)


# Recorded from main at 2bcd414 (see the module's docstring). Do not update these to make
# the test pass: a difference is a change of behaviour.
EXPECTED = {
    "demo-last-year": {
        "input": {
            "sha256": "b2b27b023609d47e85425d7e9b05b03293bcfef0e2879a8f2c12673702e1bd97",
            "length": 960775,
            "head": '{"campaign":{"code":"demo-last-year","na',
        },
        "result": {
            "sha256": "2819e69b961beefcb70a26b4045e06222dafb84e0abf546318eb43e9cef54d65",
            "length": 97807,
            "head": '{\n "format": "appraisal-scoring-result/1',
        },
        "csv": {
            "sha256": "a6bee636d46138d51fb8e74c0b45ad7dc04c0bf3693b4d1eb4b778ee5867a22b",
            "length": 14269,
            "head": "\ufeff报告状态,定稿\r\n计分编号,1\r\n输入 SHA-256,b2b27b02360",
        },
    },
    "demo": {
        "input": {
            "sha256": "5bdd0e9867e3cd442e83416b3ce2acc2990dc095b61632b49a8bdf73457b49c7",
            "length": 949714,
            "head": '{"campaign":{"code":"demo","name":"2026年',
        },
        "result": {
            "sha256": "e7446a12de024b30b8dd246c6822722648534fd6afa8c43629aa91880535eb1e",
            "length": 97752,
            "head": '{\n "format": "appraisal-scoring-result/1',
        },
        "csv": {
            "sha256": "a366350715929eecc803d91e356db1825061e9212f373cd84c2b67527e057a4d",
            "length": 15864,
            "head": "\ufeff报告状态,暂定\r\n计分编号,2\r\n输入 SHA-256,5bdd0e9867e",
        },
    },
}


def digest(data: bytes) -> dict:
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "length": len(data),
        "head": data.decode("utf-8")[:40],
    }


def test_the_demo_runs_and_report_are_unchanged(app, session, monkeypatch):
    monkeypatch.setattr(demo, "datetime", FrozenDatetime)
    demo.build_demo(session, today=TODAY)
    session.commit()
    seen = {}
    for code in ("demo-last-year", "demo"):
        campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one()
        run = session.scalars(select(ScoringRun).where(ScoringRun.campaign_id == campaign.id)).one()
        stored_input = b"".join(input_pieces(run.input_gzip))
        assert hashlib.sha256(stored_input).hexdigest() == run.input_sha256
        result = run.result_json.encode("utf-8")
        assert hashlib.sha256(result).hexdigest() == run.result_sha256
        with app.test_request_context():
            report = report_input(session, campaign, run, language="zh")
        zone = ZoneInfo(app.config["TIMEZONE"])
        report = dataclasses.replace(
            report,
            generated_at=datetime(2026, 6, 15, 18, 0, tzinfo=zone),
            computed_at=datetime(2026, 6, 15, 17, 30, tzinfo=zone),
        )
        seen[code] = {
            "input": digest(stored_input),
            "result": digest(result),
            "csv": digest(render_report(report, "csv")),
        }
    assert seen == EXPECTED
