"""Leadership runs the scoring from the browser and downloads the audit documents."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from appraisal_engine.models import AuditEntry, ScoringRun

from .test_auth import csrf_token, sign_in


def test_a_leader_runs_the_scoring_and_downloads_its_documents(client, factories, session):
    unit = factories.unit()
    point = factories.service_point(unit=unit)
    campaign = factories.campaign(targets=[unit, point], status="closed")
    factories.response(campaign, point)
    factories.user("leader", username="boss")
    session.commit()
    sign_in(client, "boss")
    page = client.get(f"/leadership/campaigns/{campaign.code}/scoring")
    assert page.status_code == 200 and "尚无计分" in page.get_data(as_text=True)
    token = csrf_token(client, f"/leadership/campaigns/{campaign.code}/scoring")
    ran = client.post(f"/leadership/campaigns/{campaign.code}/scoring", data={"csrf_token": token})
    assert ran.status_code == 302
    session.rollback()
    [run] = session.scalars(select(ScoringRun)).all()
    listing = client.get(f"/leadership/campaigns/{campaign.code}/scoring").get_data(as_text=True)
    assert run.input_sha256 in listing and "boss" in listing

    base = f"/leadership/campaigns/{campaign.code}/scoring/{run.id}"
    result = client.get(f"{base}/result.json")
    assert result.get_data(as_text=True) == run.result_json
    assert "attachment" in result.headers["Content-Disposition"]
    downloaded = client.get(f"{base}/input.json").get_data()
    assert json.loads(downloaded)["format"] == "appraisal-scoring-input/1"
    assert hashlib.sha256(downloaded).hexdigest() == run.input_sha256
    assert (
        client.get(f"/leadership/campaigns/{campaign.code}/scoring/999/result.json").status_code
        == 404
    )
    session.rollback()
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "scoring.run" in actions and actions.count("download") == 2


def test_a_finalised_campaign_is_not_scored_again_from_the_browser(client, factories, session):
    campaign = factories.campaign(targets=[factories.unit()], status="finalised")
    factories.user("leader", username="boss")
    session.commit()
    sign_in(client, "boss")
    page = client.get(f"/leadership/campaigns/{campaign.code}/scoring").get_data(as_text=True)
    assert "立即计分" not in page
    token = csrf_token(client, f"/leadership/campaigns/{campaign.code}/scoring")
    refused = client.post(
        f"/leadership/campaigns/{campaign.code}/scoring", data={"csrf_token": token}
    )
    assert refused.status_code == 409


def test_cadres_do_not_reach_the_scoring(client, factories, session):
    campaign = factories.campaign(targets=[factories.unit()])
    factories.user("cadre", username="someone")
    session.commit()
    sign_in(client, "someone")
    assert client.get(f"/leadership/campaigns/{campaign.code}/scoring").status_code == 403
