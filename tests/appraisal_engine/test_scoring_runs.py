"""Scoring a campaign from the database: what goes in, the stored run, and an auditor's
recomputation with `python -m scoring run` on the exported input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

import scoring
from appraisal_engine.models import Answer, AuditEntry, Response, ScoringRun
from appraisal_engine.services.scoring_input import scoring_data
from appraisal_engine.services.scoring_runs import run_scoring


@pytest.fixture
def scored_campaign(factories, session):
    unit = factories.unit(code="U01", name_zh="政务服务中心")
    point = factories.service_point(unit=unit, code="W01")
    cadre = factories.cadre(unit=unit, code="C01")
    other = factories.cadre(unit=unit, code="C02")
    campaign = factories.campaign(targets=[unit, point, cadre, other], status="open")
    for _ in range(3):
        factories.response(campaign, point)
    factories.response(campaign, point, served_by_cadre_id=cadre.id)
    factories.response(campaign, cadre)
    factories.response(campaign, other, status="flagged", flag_reasons=["burst"])
    factories.response(campaign, other, status="excluded")
    session.commit()
    return campaign


def test_only_counted_responses_go_in_and_windows_count_for_their_unit_and_cadre(
    scored_campaign, session
):
    data = scoring_data(session, scored_campaign)
    targets = [t["id"] for t in data.targets]
    assert targets == ["unit:U01", "service_point:W01", "cadre:C01", "cadre:C02"]
    counted = {}
    for index in data.target_index:
        counted[targets[index]] = counted.get(targets[index], 0) + 1
    assert counted == {"service_point:W01": 4, "unit:U01": 4, "cadre:C01": 2}
    assert len(set(data.response_ids)) == len(data.response_ids) == 10
    assert any(i.endswith("@unit:U01") for i in data.response_ids)
    assert any(i.endswith("@cadre:C01") for i in data.response_ids)
    document = data.document()
    assert document["format"] == "appraisal-scoring-input/1"
    assert document["params"]["categories"]["residents"] == {"weight": 0.5, "min_responses": 30}
    assert all(p == 100.0 for r in document["responses"] for p in r["points"].values())


def test_a_run_is_stored_and_an_auditor_reproduces_it_byte_for_byte(
    scored_campaign, session, runner, tmp_path
):
    first = runner.invoke(args=["score", scored_campaign.code])
    assert first.exit_code == 0, first.output
    exported = tmp_path / "input.json"
    export = runner.invoke(args=["export-scoring-input", scored_campaign.code, "-o", str(exported)])
    assert export.exit_code == 0, export.output
    session.rollback()
    [run] = session.scalars(select(ScoringRun)).all()
    recomputed = subprocess.run(
        [sys.executable, "-m", "scoring", "run", str(exported)],
        capture_output=True,
        check=True,
    ).stdout
    assert recomputed == run.result_json.encode("utf-8")
    assert json.loads(recomputed)["input_sha256"] == run.input_sha256

    again = runner.invoke(args=["score", scored_campaign.code, "--json"])
    assert again.exit_code == 0
    assert again.output == run.result_json, "unchanged data, the same result and hash"
    session.rollback()
    runs = session.scalars(select(ScoringRun).order_by(ScoringRun.id)).all()
    assert len(runs) == 2 and runs[0].input_sha256 == runs[1].input_sha256
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("scoring.run") == 2 and "download" in actions


def test_a_category_of_weight_zero_is_collected_but_not_scored(scored_campaign, session, factories):
    unit = next(t.subject for t in scored_campaign.targets if t.kind == "unit")
    answer = factories.response(scored_campaign, unit, category="grassroots")
    session.commit()
    before = scoring_data(session, scored_campaign)
    assert "grassroots" in before.params["categories"]
    assert f"r{answer.id}" in before.response_ids
    for row in scored_campaign.categories:
        if row.category == "grassroots":
            row.weight = 0
    session.commit()
    data = scoring_data(session, scored_campaign)
    assert "grassroots" not in data.params["categories"]
    assert f"r{answer.id}" not in data.response_ids, "not scored"
    assert session.get(Response, answer.id).status == "counted", "still collected"


def test_a_finalised_campaign_is_not_scored_again(scored_campaign, session, runner):
    scored_campaign.status = "finalised"
    session.commit()
    refused = runner.invoke(args=["score", scored_campaign.code])
    assert refused.exit_code == 1 and "finalised" in refused.output
    with pytest.raises(ValueError):
        run_scoring(session, scored_campaign)


def test_unknown_campaigns_and_missing_runs_are_named(runner, scored_campaign, tmp_path):
    unknown = runner.invoke(args=["score", "nope"])
    assert unknown.exit_code == 1 and "no campaign" in unknown.output and "'nope'" in unknown.output
    missing = runner.invoke(
        args=["export-scoring-input", scored_campaign.code, "-o", str(tmp_path / "x.json")]
    )
    assert missing.exit_code == 1 and "no scoring run" in missing.output


def test_a_campaign_without_responses_can_be_scored(factories, session):
    unit = factories.unit()
    campaign = factories.campaign(targets=[unit], status="closed")
    session.commit()
    run = run_scoring(session, campaign)
    result = json.loads(run.result_json)
    assert [t["status"] for t in result["targets"]] == ["insufficient"]


def test_two_categories_may_share_a_questionnaire_version(scored_campaign, session):
    rows = {row.category: row for row in scored_campaign.categories}
    rows["service_targets"].questionnaire_version = rows["grassroots"].questionnaire_version
    session.commit()
    [unit] = [t.subject for t in scored_campaign.targets if t.kind == "unit"]
    for category in ("grassroots", "service_targets"):
        response = Response(
            campaign_id=scored_campaign.id,
            campaign_target_id=next(t.id for t in scored_campaign.targets if t.kind == "unit"),
            category=category,
            questionnaire_version_id=rows["grassroots"].questionnaire_version_id,
            channel="paper",
            receipt_code=f"S-{category[:8]}",
        )
        question = next(q for q in rows["grassroots"].questionnaire_version.questions if q.options)
        option = question.options[0]
        response.answers = [Answer(question_id=question.id, option_id=option.id, points=0.0)]
        session.add(response)
    session.commit()
    data = scoring_data(session, scored_campaign)
    ids = [q["id"] for q in data.questions]
    assert len(ids) == len(set(ids)), "each question declared once"
    result = json.loads(run_scoring(session, scored_campaign).result_json)
    [scored_unit] = [t for t in result["targets"] if t["id"] == f"unit:{unit.code}"]
    assert scored_unit["categories"]["grassroots"]["n"] == 1
    assert scored_unit["categories"]["service_targets"]["n"] == 1


def test_a_new_campaign_is_scored_by_revision_2_with_its_quota_rounding(scored_campaign, session):
    assert scored_campaign.scoring_revision == 2
    scored_campaign.quota_rounding = "ceil"
    params = scoring_data(session, scored_campaign).document()["params"]
    assert params["revision"] == 2
    assert params["grades"]["quota_rounding"] == "ceil"
    validated = scoring.validate(scoring_data(session, scored_campaign).document()).params
    assert (validated.revision, validated.quota_rounding) == (2, "ceil")


def test_an_old_campaigns_input_is_as_before_revisions(scored_campaign, session):
    """A revision-1 campaign's document names no revision and no quota rounding, whatever
    the column says, so that its stored runs are reproduced byte for byte."""
    scored_campaign.scoring_revision = 1
    scored_campaign.quota_rounding = "ceil"
    data = scoring_data(session, scored_campaign)
    document = data.document()
    params = document["params"]
    assert "revision" not in params
    assert list(params) == [
        "categories", "min_weight_share", "aggregate", "trim", "prior_strength",
        "satisfied_threshold", "confidence", "grades", "bonus", "funnel_category",
    ]  # fmt: skip
    assert list(params["grades"]) == [
        "fail_below",
        "basic_below",
        "excellent_min",
        "excellent_quota",
    ]
    validated = scoring.validate(document).params
    assert (validated.revision, validated.quota_rounding) == (1, "floor")
    scored_campaign.scoring_revision = 2
    newer = scoring_data(session, scored_campaign).document()
    assert {**newer["params"]["grades"]} == {**params["grades"], "quota_rounding": "ceil"}
    without = {key: value for key, value in newer["params"].items() if key != "revision"}
    without["grades"] = params["grades"]
    assert without == params
    assert {k: v for k, v in newer.items() if k != "params"} == {
        k: v for k, v in document.items() if k != "params"
    }
