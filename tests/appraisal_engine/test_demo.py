"""`appraisal demo`: a realistic bureau, an open campaign and responses; logins that work."""

import re
from collections import defaultdict

from sqlalchemy import func, select

from appraisal_engine.models import (
    Answer,
    Cadre,
    Campaign,
    CampaignTarget,
    Response,
    ScoringRun,
    ServicePoint,
    Unit,
    User,
)

from .test_auth import csrf_token, sign_in

LOGIN = re.compile(r"^login: (admin|leader|cadre) (\S+) (\S+)$", re.MULTILINE)


def run_demo(runner, *args):
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def rated_targets(session, campaign):
    """Which targets are rated under the campaign's minimums (SCORING.md §3): a window's
    responses also count towards its unit."""
    categories = {c.category: c for c in campaign.categories}
    counts = defaultdict(lambda: defaultdict(int))
    rows = session.execute(
        select(Response.campaign_target_id, Response.category, func.count())
        .where(Response.campaign_id == campaign.id, Response.status == "counted")
        .group_by(Response.campaign_target_id, Response.category)
    )
    targets = {t.id: t for t in campaign.targets}
    unit_target = {t.unit_id: t.id for t in campaign.targets if t.kind == "unit"}
    for target_id, category, n in rows:
        counts[target_id][category] += n
        target = targets[target_id]
        if target.kind == "service_point" and target.service_point.unit_id in unit_target:
            counts[unit_target[target.service_point.unit_id]][category] += n
    total_weight = sum(c.weight for c in categories.values())
    rated = {}
    for target_id in targets:
        weight = sum(
            c.weight
            for name, c in categories.items()
            if counts[target_id][name] >= max(2, c.min_responses)
        )
        rated[target_id] = weight >= campaign.min_weight_share * total_weight
    return rated


def test_demo_builds_a_realistic_instance(runner, session, client):
    output = run_demo(runner)
    verified = runner.invoke(args=["verify"])
    assert verified.exit_code == 0 and "the audit chain is whole" in verified.output
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(Unit) >= 4
    assert count(ServicePoint) >= 8
    assert count(Cadre) >= 30
    assert all(
        re.search(r"[\u4e00-\u9fff]", c.name_zh) and c.name_en
        for c in session.scalars(select(Cadre))
    )
    campaign = session.scalars(select(Campaign).where(Campaign.code == "demo")).one()
    assert campaign.status == "open"
    assert sorted(c.category for c in campaign.categories) == [
        "grassroots",
        "residents",
        "service_targets",
    ]
    assert all(c.questionnaire_version.status == "published" for c in campaign.categories)
    kinds = {t.kind for t in campaign.targets}
    assert kinds == {"unit", "service_point", "cadre"}

    by_category = dict(
        session.execute(select(Response.category, func.count()).group_by(Response.category)).all()
    )
    assert set(by_category) == {"residents", "grassroots", "service_targets"}
    assert session.scalar(select(func.count()).select_from(Answer)) > 5 * sum(by_category.values())

    # Kiosk answers come from tablets the kiosks page lists.
    at_kiosks = session.scalars(select(Response).where(Response.channel == "kiosk")).all()
    assert at_kiosks and all(r.kiosk_id is not None and r.link_id for r in at_kiosks)
    assert {r.target.kind for r in at_kiosks} == {"service_point"}, "tablets stand at windows"

    flagged = session.scalars(select(Response).where(Response.status == "flagged")).all()
    assert len(flagged) == 12, "one phone's burst of identical top ratings, for the review page"
    assert {"duplicate_device", "identical_answers"} <= set(flagged[-1].flag_reasons)
    assert len({r.duplicate_hash for r in flagged}) == 1

    rated = rated_targets(session, campaign)
    unrated = [t for t, ok in rated.items() if not ok]
    assert sum(rated.values()) >= 0.75 * len(rated), "most targets are rated"
    assert 2 <= len(unrated) <= 0.25 * len(rated), "a few are not"

    # Responses spread realistically: the targets' mean points differ.
    means = session.execute(
        select(Response.campaign_target_id, func.avg(Answer.points))
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.category == "residents")
        .group_by(Response.campaign_target_id)
    ).all()
    averages = [m for _, m in means]
    assert max(averages) - min(averages) > 10

    # Last year's campaign is finalised at a frozen run, its league table public; this
    # year's has a provisional run, so every page has figures to show.
    previous = session.scalars(select(Campaign).where(Campaign.code == "demo-last-year")).one()
    assert previous.status == "finalised" and previous.league_published_at is not None
    runs = {run.campaign_id: run for run in session.scalars(select(ScoringRun))}
    assert runs[previous.id].frozen and not runs[campaign.id].frozen
    assert previous.ends_on < campaign.starts_on
    public = client.get("/public/demo-last-year").get_data(as_text=True)
    assert all(t.unit.name_zh in public for t in previous.targets if t.kind == "unit")
    assert not any(t.cadre.name_zh in public for t in previous.targets if t.kind == "cadre")

    logins = LOGIN.findall(output)
    roles = [role for role, _, _ in logins]
    assert {"admin", "leader", "cadre"} <= set(roles)
    assert re.search(r"^link: http://127\.0\.0\.1:5000/s/[A-Za-z0-9_-]{16}$", output, re.MULTILINE)
    homes = {"admin": "/admin/", "leader": "/leadership/", "cadre": "/me/"}
    for role, username, password in logins:
        response = sign_in(client, username, password)
        assert response.headers["Location"] == homes[role]
        page = client.get(homes[role])
        assert page.status_code == 200
        if role == "cadre":
            user = session.scalars(select(User).where(User.username == username)).one()
            appraised = session.scalar(
                select(CampaignTarget).where(
                    CampaignTarget.cadre_id == user.cadre_id,
                    CampaignTarget.campaign_id == campaign.id,
                )
            )
            assert appraised is not None, "the cadre login is appraised in the campaign"
            assert user.cadre.name_zh in page.get_data(as_text=True)
            assert "综合得分" in page.get_data(as_text=True), "last year's final result"
        client.post("/logout", data={"csrf_token": csrf_token(client, homes[role])})


def test_demo_refuses_a_second_run_unless_reset(runner, session):
    first = run_demo(runner)
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 1
    assert "not empty" in again.output and "--reset" in again.output
    assert session.scalar(select(func.count()).select_from(Campaign)) == 2
    session.rollback()  # end the test's read transaction: DROP TABLE waits for it otherwise
    reset = run_demo(runner, "--reset")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Campaign)) == 2
    assert LOGIN.findall(first) != LOGIN.findall(reset), "new passwords after a reset"


def test_demo_refuses_a_database_holding_real_data(runner, session, factories):
    factories.unit(code="REAL")
    session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "1 units" in result.output
    assert session.scalars(select(Unit.code)).all() == ["REAL"]
