"""`appraisal campaign-status` and its JSON twin in the API."""

import json

from .test_auth import sign_in


def make_campaign(session, factories):
    window = factories.service_point(code="W1")
    cadre = factories.cadre(code="C1")
    campaign = factories.campaign(code="2026", targets=[window, cadre])
    factories.response(campaign, window)
    factories.response(campaign, window, status="flagged", flag_reasons=["burst"])
    factories.response(campaign, cadre, category="grassroots")
    session.commit()
    return campaign


EXPECTED = {
    "campaign": "2026",
    "status": "draft",
    "total": 3,
    "by_status": {"counted": 2, "flagged": 1, "excluded": 0},
    "by_category": {"residents": 2, "grassroots": 1},
    "by_target": {"cadre:C1": 1, "service_point:W1": 2},
}


def test_campaign_status_json(runner, session, factories):
    make_campaign(session, factories)
    result = runner.invoke(args=["campaign-status", "2026", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED
    text = runner.invoke(args=["campaign-status", "2026"]).output
    assert "3 responses" in text and "flagged 1" in text and "service_point:W1" in text


def test_campaign_status_api_for_leaders(client, session, factories):
    make_campaign(session, factories)
    leader = factories.user("leader")
    session.commit()
    sign_in(client, leader.username)
    assert client.get("/api/campaigns/2026/status").get_json() == EXPECTED
    assert client.get("/api/campaigns/nope/status").status_code == 404


def test_unknown_campaign(runner):
    result = runner.invoke(args=["campaign-status", "nope"])
    assert result.exit_code == 1 and "no campaign 'nope'" in result.output
