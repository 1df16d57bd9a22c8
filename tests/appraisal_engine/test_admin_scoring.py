"""An administrator scores and finalises a campaign from its own administration pages:
the Scoring tab shows the latest run, runs the scoring (the leadership's use case) and
leads on to finalising."""

from __future__ import annotations

from sqlalchemy import select

from appraisal_engine.models import AuditEntry, Campaign, ScoringRun

from .test_auth import csrf_token, sign_in

#: Where the page's steps begin, below the campaign's tabs.
STEPS = 'aria-labelledby="latest-run"'


def test_an_admin_runs_the_scoring_and_finalises_from_the_campaign_pages(
    client, factories, session
):
    unit = factories.unit()
    point = factories.service_point(unit=unit)
    campaign = factories.campaign(code="c1", targets=[unit, point], status="closed")
    factories.response(campaign, point)
    factories.user("admin", username="root")
    session.commit()
    sign_in(client, "root")
    settings = client.get("/admin/campaigns/c1?lang=en").get_data(as_text=True)
    assert 'href="/admin/campaigns/c1/scoring"' in settings

    page = client.get("/admin/campaigns/c1/scoring?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "No scoring run yet." in text
    assert "/status/finalised" not in text.split(STEPS)[1], "no finalising before a run"
    ran = client.post(
        "/admin/campaigns/c1/scoring",
        data={"csrf_token": csrf_token(client, "/admin/campaigns/c1/scoring")},
    )
    assert ran.status_code == 302 and ran.headers["Location"] == "/admin/campaigns/c1/scoring"
    session.rollback()
    [run] = session.scalars(select(ScoringRun)).all()
    text = client.get("/admin/campaigns/c1/scoring?lang=en").get_data(as_text=True)
    assert f"Scoring run {run.id} is stored." in text and run.input_sha256 in text
    assert "root" in text
    assert 'href="/admin/campaigns/c1/status/finalised"' in text.split(STEPS)[1]
    actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("scoring.run") == 1

    confirm = client.get("/admin/campaigns/c1/status/finalised?lang=en").get_data(as_text=True)
    assert 'href="/admin/campaigns/c1/scoring"' in confirm
    done = client.post(
        "/admin/campaigns/c1/status/finalised",
        data={"csrf_token": csrf_token(client, "/admin/campaigns/c1/status/finalised")},
    )
    assert done.status_code == 302
    session.rollback()
    assert session.scalars(select(Campaign.status)).one() == "finalised"
    text = client.get("/admin/campaigns/c1/scoring?lang=en").get_data(as_text=True)
    assert "Run the scoring now" not in text and "Frozen" in text
    refused = client.post(
        "/admin/campaigns/c1/scoring",
        data={"csrf_token": csrf_token(client, "/admin/campaigns/c1/scoring")},
    )
    assert refused.status_code == 409
    session.rollback()
    assert len(session.scalars(select(ScoringRun)).all()) == 1


def test_a_campaign_still_open_is_not_offered_for_finalising(client, factories, session):
    campaign = factories.campaign(code="c2", targets=[factories.unit()], status="open")
    factories.user("admin", username="root")
    session.commit()
    sign_in(client, "root")
    text = client.get(f"/admin/campaigns/{campaign.code}/scoring?lang=en").get_data(as_text=True)
    assert "once it is closed and scored" in text
    assert "/status/finalised" not in text
