"""Campaign administration in the admin UI, as an administrator uses it: create, edit a
draft, choose targets, open → close → finalise, links, invitation codes, printing."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from appraisal_engine.db import get_database
from appraisal_engine.models import (
    DEFAULT_CATEGORY_PARAMS,
    AuditEntry,
    Cadre,
    Campaign,
    CampaignTarget,
    Link,
    ScoringRun,
    User,
)
from appraisal_engine.services import campaigns as service
from appraisal_engine.services.scoring_runs import run_scoring

from .test_auth import csrf_token, sign_in

SCORING_DEFAULTS = {
    "min_weight_share": 0.5,
    "aggregate": "mean",
    "trim_fraction": 0.1,
    "prior_strength": 10.0,
    "satisfied_threshold": 60.0,
    "confidence": 0.95,
    "fail_below": 60.0,
    "basic_below": 70.0,
    "excellent_min": 85.0,
    "excellent_quota": 0.2,
    "bonus_excellent": 1.2,
    "bonus_competent": 1.0,
    "bonus_basic": 0.8,
    "bonus_incompetent": 0.0,
    "bonus_pool": None,
    "funnel_category": "residents",
}


@pytest.fixture
def admin(client, factories, session):
    user = factories.user("admin")
    session.commit()
    sign_in(client, user.username)
    return client


def post(client, path, data=None, **kwargs):
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, "/admin/campaigns/"), **(data or {})},
        **kwargs,
    )


def fresh(session):
    """A new snapshot: the app committed in its own session. Objects this session holds
    are expired too, also when it had no transaction open for rollback() to end."""
    session.rollback()
    session.expire_all()


def stored(session, code):
    fresh(session)
    return session.scalar(select(Campaign).where(Campaign.code == code))


def actions(session, action=None):
    fresh(session)
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return session.scalars(query).all()


def links_of(session, campaign, **where):
    fresh(session)
    query = (
        select(Link)
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(CampaignTarget.campaign_id == campaign.id)
        .where(*(getattr(Link, name) == value for name, value in where.items()))
        .order_by(Link.id)
    )
    return session.scalars(query).all()


@pytest.fixture
def draft(factories, session):
    """A draft campaign with all three categories and a window and a cadre as targets."""
    window = factories.service_point(name_zh="一号窗口", name_en="Window 1")
    cadre = factories.cadre(name_zh="张伟", name_en="Zhang Wei")
    campaign = factories.campaign(code="c2026", targets=[window, cadre])
    session.commit()
    return campaign


def test_new_campaign_starts_with_the_default_parameters(admin, factories, session):
    residents = factories.questionnaire_version("residents")
    session.commit()
    page = admin.get("/admin/campaigns/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "新建测评活动" in html
    assert re.search(r'name="confidence" value="0.95"', html)
    assert re.search(r'name="category-residents-min_responses" value="30"', html)

    created = post(
        admin,
        "/admin/campaigns/new",
        {
            "code": "2027-annual",
            "name_zh": "2027年度测评",
            "name_en": "2027 appraisal",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "category-residents-version_id": str(residents.id),
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    assert created.headers["Location"] == "/admin/campaigns/2027-annual"
    campaign = stored(session, "2027-annual")
    assert campaign.status == "draft"
    assert (campaign.starts_on, campaign.ends_on) == (date(2027, 1, 1), date(2027, 12, 31))
    assert {name: getattr(campaign, name) for name in SCORING_DEFAULTS} == SCORING_DEFAULTS
    [category] = campaign.categories
    assert (category.category, category.questionnaire_version_id) == ("residents", residents.id)
    assert (category.weight, category.min_responses) == DEFAULT_CATEGORY_PARAMS["residents"]
    assert campaign.indicator_weights, "the version's indicators with their weights"
    [entry] = actions(session, "campaign.create")
    assert entry.details["code"] == "2027-annual" and entry.user_id is not None

    listing = admin.get("/admin/campaigns/").get_data(as_text=True)
    assert "/admin/campaigns/2027-annual" in listing
    assert "/admin/campaigns/" in admin.get("/admin/").get_data(as_text=True)


def test_new_campaign_form_offers_the_three_categories_with_their_defaults(admin, session):
    html = admin.get("/admin/campaigns/new").get_data(as_text=True)
    for category, (weight, minimum) in DEFAULT_CATEGORY_PARAMS.items():
        assert f'name="category-{category}-weight" value="{weight:g}"' in html
        assert f'name="category-{category}-min_responses" value="{minimum}"' in html


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"code": "bad code"}, "code"),
        ({"code": ""}, "code"),
        ({"name_zh": ""}, "name_zh"),
        ({"ends_on": "2026-12-31", "starts_on": "2027-01-01"}, "ends_on"),
        ({"starts_on": "31/01/2027"}, "starts_on"),
    ],
)
def test_new_campaign_with_bad_input_is_refused_and_nothing_is_written(admin, session, form, field):
    data = {"code": "x", "name_zh": "测评", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
    response = post(admin, "/admin/campaigns/new", {**data, **form})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and "未保存" in html
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert not actions(session, "campaign.create")


def test_a_campaign_code_is_used_once(admin, draft, session):
    data = {"code": "c2026", "name_zh": "重复", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
    response = post(admin, "/admin/campaigns/new", data)
    assert response.status_code == 400
    assert 'id="code-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Campaign)) == 1
    residents = next(c for c in draft.categories if c.category == "residents")
    offered = admin.get("/admin/campaigns/new").get_data(as_text=True)
    assert f'<option value="{residents.questionnaire_version_id}" selected>' in offered, (
        "a new campaign is offered the questionnaires of the newest one"
    )


def settings_form(campaign, **changes):
    """The campaign page's form as the browser would post it, with `changes`."""
    form = {
        name: value
        for name, value in {
            "name_zh": campaign.name_zh,
            "name_en": campaign.name_en,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
            **{k: "" if v is None else str(v) for k, v in SCORING_DEFAULTS.items()},
        }.items()
    }
    for row in campaign.categories:
        prefix = f"category-{row.category}-"
        form[prefix + "version_id"] = str(row.questionnaire_version_id)
        form[prefix + "weight"] = str(row.weight)
        form[prefix + "min_responses"] = str(row.min_responses)
    form.update(changes)
    return form


def test_a_draft_is_edited_all_at_once(admin, draft, factories, session):
    page = admin.get("/admin/campaigns/c2026")
    assert page.status_code == 200
    assert ">保存</button>" in page.get_data(as_text=True)
    form = settings_form(
        draft,
        name_en="Annual 2026",
        aggregate="shrunk_mean",
        confidence="0.9",
        bonus_pool="100000",
        **{"category-service_targets-version_id": "", "category-grassroots-weight": "0.25"},
    )
    response = post(admin, "/admin/campaigns/c2026", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    campaign = stored(session, "c2026")
    assert campaign.name_en == "Annual 2026"
    assert (campaign.aggregate, campaign.confidence, campaign.bonus_pool) == (
        "shrunk_mean",
        0.9,
        100000.0,
    )
    weights = {row.category: row.weight for row in campaign.categories}
    assert weights == {"residents": 0.5, "grassroots": 0.25}
    [entry] = actions(session, "campaign.edit")
    changes = entry.details["changes"]
    assert changes["confidence"] == [0.95, 0.9]
    assert "categories.service_targets" in changes


BAD_SETTINGS = [
    ("confidence", "1"),
    ("confidence", "0"),
    ("trim_fraction", "0.5"),
    ("min_weight_share", "1.5"),
    ("satisfied_threshold", "-1"),
    ("prior_strength", "-0.1"),
    ("excellent_quota", "2"),
    ("bonus_basic", "-1"),
    ("bonus_pool", "-5"),
    ("bonus_pool", "lots"),
    ("confidence", "nan"),
    ("prior_strength", "inf"),
    ("aggregate", "median"),
    ("funnel_category", "everyone"),
    ("quota_rounding", "round"),
    ("basic_below", "90"),  # above excellent_min 85
    ("ends_on", "2025-12-31"),
    ("starts_on", "not a date"),
    ("name_zh", ""),
    ("name_zh", "x" * 201),
    ("name_en", "bad\x00name"),
    ("category-residents-weight", "-1"),
    ("category-residents-weight", "heavy"),
    ("category-residents-weight", "2000000"),
    ("category-residents-min_responses", "1.5"),
    ("category-residents-min_responses", "99999999999"),
    ("category-residents-version_id", "99999"),
    ("category-residents-version_id", "abc"),
]


def test_invalid_parameters_are_refused_beside_their_field(admin, draft, session):
    before = service.settings_of(stored(session, "c2026"))
    for field, value in BAD_SETTINGS:
        response = post(admin, "/admin/campaigns/c2026", settings_form(draft, **{field: value}))
        assert response.status_code == 400, (field, value)
        html = response.get_data(as_text=True)
        assert "未保存" in html
        assert f'id="{field}-error"' in html, f"the message stands beside {field}"
        if field not in service.CHOICE_FIELDS and not field.endswith("version_id"):
            assert f'value="{value}"' in html, "what was typed is shown again"
    assert service.settings_of(stored(session, "c2026")) == before
    assert not actions(session, "campaign.edit")


def test_a_draft_questionnaire_version_cannot_be_chosen(admin, draft, factories, session):
    unpublished = factories.questionnaire_version("grassroots", publish=False)
    session.commit()
    form = settings_form(draft, **{"category-residents-version_id": str(unpublished.id)})
    response = post(admin, "/admin/campaigns/c2026", form)
    assert response.status_code == 400
    assert 'id="category-residents-version_id-error"' in response.get_data(as_text=True)


def test_rules_are_shown_beside_the_fields(admin, draft):
    html = admin.get("/admin/campaigns/c2026?lang=en").get_data(as_text=True)
    assert "A number above 0 and below 1, such as 0.95." in html
    assert "A number from 0 to less than 0.5." in html


def open_campaign(admin, code="c2026"):
    response = post(admin, f"/admin/campaigns/{code}/status/open")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_parameters_and_targets_are_read_only_once_open(admin, draft, session, factories):
    open_campaign(admin)
    before = service.settings_of(stored(session, "c2026"))
    page = admin.get("/admin/campaigns/c2026").get_data(as_text=True)
    assert "<fieldset disabled>" in page and ">保存</button>" not in page
    refused = post(admin, "/admin/campaigns/c2026", settings_form(draft, confidence="0.9"))
    assert refused.status_code == 409
    assert "草稿" in refused.get_data(as_text=True)
    assert service.settings_of(stored(session, "c2026")) == before
    targets = post(admin, "/admin/campaigns/c2026/targets", {"t": []})
    assert targets.status_code == 409
    assert len(stored(session, "c2026").targets) == 2

    user = factories.user("admin")
    campaign = stored(session, "c2026")
    with pytest.raises(service.NotDraft):
        service.update_campaign(session, campaign, before, user)
    with pytest.raises(service.NotDraft):
        service.set_targets(session, campaign, set(), user)


def test_targets_are_chosen_by_unit_window_and_cadre(admin, factories, session):
    unit = factories.unit(name_zh="行政审批科")
    window = factories.service_point(unit=unit)
    cadre = factories.cadre(unit=unit)
    inactive = factories.cadre(unit=unit, active=False)
    other = factories.unit()
    other_window = factories.service_point(unit=other)
    campaign = factories.campaign(code="t")
    session.commit()
    page = admin.get("/admin/campaigns/t/targets").get_data(as_text=True)
    assert "行政审批科" in page and f'value="c{cadre.id}"' in page
    assert f'value="c{inactive.id}"' not in page, "inactive cadres are not offered"

    saved = post(admin, "/admin/campaigns/t/targets", {"t": [f"p{other_window.id}"]})
    assert saved.status_code == 302
    everything = post(admin, "/admin/campaigns/t/targets", {"all": [str(unit.id)]})
    assert everything.status_code == 302
    campaign = stored(session, "t")
    kinds = sorted((t.kind, service.key_of(t)[1]) for t in campaign.targets)
    assert kinds == sorted([("unit", unit.id), ("service_point", window.id), ("cadre", cadre.id)])
    [first, second] = actions(session, "campaign.targets")
    assert first.details["added"] == [f"p{other_window.id}"]
    assert f"p{other_window.id}" in second.details["removed"]

    assert post(admin, "/admin/campaigns/t/targets", {"t": ["x1"]}).status_code == 400
    assert post(admin, "/admin/campaigns/t/targets", {"t": ["c999999"]}).status_code == 400
    assert post(admin, "/admin/campaigns/t/targets", {"all": ["abc"]}).status_code == 400
    assert post(admin, "/admin/campaigns/t/targets", {"all": ["999999"]}).status_code == 400
    assert len(stored(session, "t").targets) == 3


def test_every_transition_and_its_refusals(admin, factories, session):
    window = factories.service_point()
    factories.campaign(code="s")
    session.commit()

    confirm = admin.get("/admin/campaigns/s/status/open")
    assert confirm.status_code == 200
    assert "至少选择一个评价对象" in confirm.get_data(as_text=True)
    refused = post(admin, "/admin/campaigns/s/status/open")
    assert refused.status_code == 409
    assert "至少选择一个评价对象" in refused.get_data(as_text=True)
    assert post(admin, "/admin/campaigns/s/status/closed").status_code == 409
    assert post(admin, "/admin/campaigns/s/status/finalised").status_code == 409
    assert stored(session, "s").status == "draft"

    post(admin, "/admin/campaigns/s/targets", {"t": [f"p{window.id}"]})
    zero = settings_form(
        stored(session, "s"),
        **{f"category-{c}-weight": "0" for c in DEFAULT_CATEGORY_PARAMS},
    )
    assert post(admin, "/admin/campaigns/s", zero).status_code == 302
    no_weight = post(admin, "/admin/campaigns/s/status/open")
    assert no_weight.status_code == 409
    assert "权重大于 0" in no_weight.get_data(as_text=True)
    restored = settings_form(stored(session, "s"), **{"category-residents-weight": "1"})
    assert post(admin, "/admin/campaigns/s", restored).status_code == 302

    steps = [("open", "opened_at"), ("closed", "closed_at"), ("finalised", "finalised_at")]
    for status, stamp in steps:
        if status == "finalised":
            unscored = post(admin, "/admin/campaigns/s/status/finalised")
            assert unscored.status_code == 409 and "先计分" in unscored.get_data(as_text=True)
            run = run_scoring(session, stored(session, "s"))
            session.commit()
            factories.response(stored(session, "s"), window)  # a review decision, say
            session.commit()
            stale = post(admin, "/admin/campaigns/s/status/finalised")
            assert stale.status_code == 409 and "重新计分" in stale.get_data(as_text=True)
            run = run_scoring(session, stored(session, "s"))
            session.commit()
        page = admin.get(f"/admin/campaigns/s/status/{status}")
        assert page.status_code == 200 and f"/status/{status}" in page.get_data(as_text=True)
        assert post(admin, f"/admin/campaigns/s/status/{status}").status_code == 302
        campaign = stored(session, "s")
        assert campaign.status == status
        assert isinstance(getattr(campaign, stamp), datetime)
        assert post(admin, f"/admin/campaigns/s/status/{status}").status_code == 409, "twice"
    for status in ("open", "closed", "finalised"):
        assert post(admin, f"/admin/campaigns/s/status/{status}").status_code == 409
    audit = [e.action for e in actions(session) if e.action.startswith("campaign.")]
    assert audit[-3:] == ["campaign.open", "campaign.close", "campaign.finalise"]
    session.expire_all()
    assert session.get(ScoringRun, run.id).frozen, "finalising freezes the last run"
    assert all(e.user_id is not None for e in actions(session, "campaign.open"))
    assert admin.get("/admin/campaigns/s/status/draft").status_code == 404


def test_two_transitions_of_one_campaign_never_both_apply(admin, app, draft, session):
    """The second request waits for the first's lock, then finds the campaign open."""
    other = get_database(app).session_factory()
    locked = service.lock_campaign(other, "c2026")
    user = other.scalar(select(User).where(User.role == "admin"))
    results = {}

    def second() -> None:
        results["response"] = post(admin, "/admin/campaigns/c2026/status/open")

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    service.change_status(other, locked, "open", user)
    other.commit()
    other.close()
    thread.join(timeout=60)
    assert results["response"].status_code == 409
    assert len(actions(session, "campaign.open")) == 1


def test_opening_makes_one_open_link_per_target(admin, draft, session):
    open_campaign(admin)
    campaign = stored(session, "c2026")
    links = links_of(session, campaign, kind="open")
    assert sorted(link.campaign_target_id for link in links) == sorted(
        t.id for t in campaign.targets
    )
    assert all(link.category == "residents" and len(link.token) >= 16 for link in links)
    [entry] = actions(session, "campaign.open")
    assert entry.details["links_made"] == 2

    page = admin.get("/admin/campaigns/c2026/links").get_data(as_text=True)
    for link in links:
        assert f"http://127.0.0.1:5000/s/{link.token}" in page

    assert post(admin, f"/admin/campaigns/c2026/links/{links[0].id}/revoke").status_code == 302
    assert "1 个评价对象尚无公开链接" in admin.get("/admin/campaigns/c2026/links").get_data(
        as_text=True
    )
    made = post(admin, "/admin/campaigns/c2026/links/open")
    assert made.status_code == 302
    assert len(links_of(session, campaign, kind="open", revoked=False)) == 2
    assert actions(session, "campaign.open_links")[0].details["made"] == 1
    again = post(admin, "/admin/campaigns/c2026/links/open")
    assert again.status_code == 302
    assert len(links_of(session, campaign, kind="open")) == 3, "nothing more was made"


def test_without_a_residents_category_there_are_no_open_links(admin, draft, session):
    form = settings_form(draft, **{"category-residents-version_id": ""})
    assert post(admin, "/admin/campaigns/c2026", form).status_code == 302
    open_campaign(admin)
    assert links_of(session, stored(session, "c2026")) == []
    assert post(admin, "/admin/campaigns/c2026/links/open").status_code == 409


def test_invitation_codes_are_made_in_batches_and_counted(admin, draft, session):
    window, cadre = sorted(stored(session, "c2026").targets, key=lambda t: t.id)
    made = post(
        admin,
        "/admin/campaigns/c2026/invitations",
        {"category": "grassroots", "target": [str(window.id), str(cadre.id)], "per_target": "3"},
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    everyone = post(
        admin,
        "/admin/campaigns/c2026/invitations",
        {"category": "service_targets", "all_targets": "1", "per_target": "2"},
    )
    assert everyone.status_code == 302
    campaign = stored(session, "c2026")
    invitations = links_of(session, campaign, kind="invitation")
    assert len(invitations) == 10
    grassroots = [link for link in invitations if link.category == "grassroots"]
    grassroots[0].used_at = datetime.now(UTC)
    grassroots[1].revoked = True
    session.commit()

    counts = service.invitation_counts(session, campaign)
    first = counts[(grassroots[0].campaign_target_id, "grassroots")]
    assert (first.issued, first.used, first.unused) == (2, 1, 1)
    assert counts[(cadre.id, "service_targets")].issued == 2
    page = admin.get("/admin/campaigns/c2026/links").get_data(as_text=True)
    assert "基层单位" in page and "服务对象" in page
    [entry, second] = actions(session, "campaign.invitations")
    assert (entry.details["category"], entry.details["made"]) == ("grassroots", 6)
    assert second.details["targets"] == 2


BAD_BATCHES = [
    ({"category": "grassroots", "all_targets": "1", "per_target": "0"}, "per_target"),
    ({"category": "grassroots", "all_targets": "1", "per_target": "501"}, "per_target"),
    ({"category": "grassroots", "all_targets": "1", "per_target": "many"}, "per_target"),
    ({"category": "residents", "all_targets": "1", "per_target": "1"}, "category"),
    ({"category": "nobody", "all_targets": "1", "per_target": "1"}, "category"),
    ({"category": "grassroots", "per_target": "1"}, "targets"),
    ({"category": "grassroots", "target": ["999999"], "per_target": "1"}, "targets"),
]


def test_bad_invitation_batches_are_refused(admin, draft, session):
    for form, field in BAD_BATCHES:
        response = post(admin, "/admin/campaigns/c2026/invitations", form)
        assert response.status_code == 400, form
        assert f'id="{field}-error"' in response.get_data(as_text=True), form
    assert links_of(session, stored(session, "c2026")) == []


def test_invitations_need_a_configured_category_and_an_unclosed_campaign(admin, draft, session):
    form = settings_form(draft, **{"category-grassroots-version_id": ""})
    assert post(admin, "/admin/campaigns/c2026", form).status_code == 302
    batch = {"category": "grassroots", "all_targets": "1", "per_target": "1"}
    assert post(admin, "/admin/campaigns/c2026/invitations", batch).status_code == 400
    assert post(admin, "/admin/campaigns/c2026/invitations", {"target": "x"}).status_code == 400
    open_campaign(admin)
    post(admin, "/admin/campaigns/c2026/status/closed")
    batch["category"] = "service_targets"
    closed = post(admin, "/admin/campaigns/c2026/invitations", batch)
    assert closed.status_code == 409
    assert post(admin, "/admin/campaigns/c2026/links/open").status_code == 409


def test_links_are_revoked_and_audited(admin, draft, factories, session):
    open_campaign(admin)
    campaign = stored(session, "c2026")
    link = links_of(session, campaign, kind="open")[0]
    path = f"/admin/campaigns/c2026/links/{link.id}"
    assert admin.get(f"{path}/qr.png").status_code == 200
    assert post(admin, f"{path}/revoke").status_code == 302
    assert links_of(session, campaign, id=link.id)[0].revoked
    [entry] = actions(session, "link.revoke")
    assert entry.object_id == str(link.id) and entry.user_id is not None
    again = post(admin, f"{path}/revoke", follow_redirects=True)
    assert "已撤销" in again.get_data(as_text=True)
    assert len(actions(session, "link.revoke")) == 1
    assert admin.get(f"{path}/qr.png").status_code == 410

    target_page = admin.get(f"/admin/campaigns/c2026/targets/{link.campaign_target_id}/links")
    assert target_page.status_code == 200 and "已撤销" in target_page.get_data(as_text=True)

    other = factories.campaign(code="other", targets=[factories.cadre()])
    session.commit()
    foreign = post(admin, f"/admin/campaigns/other/links/{link.id}/revoke")
    assert foreign.status_code == 404
    assert (
        admin.get(f"/admin/campaigns/other/targets/{link.campaign_target_id}/links").status_code
        == 404
    )
    assert other.code == "other"


def test_each_download_is_a_real_file_and_audited(admin, draft, session):
    assert admin.get("/admin/campaigns/c2026/print/print.zip").status_code == 409, "no links"
    open_campaign(admin)
    campaign = stored(session, "c2026")
    assert admin.get("/admin/campaigns/c2026/print/invitations-a4.pdf").status_code == 409
    post(
        admin,
        "/admin/campaigns/c2026/invitations",
        {"category": "grassroots", "all_targets": "1", "per_target": "2"},
    )
    for name in ("posters-a6.pdf", "posters-a4.pdf", "invitations-a4.pdf"):
        response = admin.get(f"/admin/campaigns/c2026/print/{name}")
        assert response.status_code == 200, name
        assert response.data.startswith(b"%PDF"), name
        assert response.mimetype == "application/pdf"
        assert f'filename="c2026-{name}"' in response.headers["Content-Disposition"]
    archive = admin.get("/admin/campaigns/c2026/print/print.zip")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(archive.data)).namelist())
    codes = {t.subject.code for t in campaign.targets}
    expected = {"posters-a6.pdf", "posters-a4.pdf", "invitations-a4.pdf"}
    expected |= {f"codes/{code}-residents.{kind}" for code in codes for kind in ("png", "svg")}
    assert names == expected
    link = links_of(session, campaign, kind="open")[0]
    png = admin.get(f"/admin/campaigns/c2026/links/{link.id}/qr.png")
    assert png.data.startswith(b"\x89PNG")
    svg = admin.get(f"/admin/campaigns/c2026/links/{link.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert admin.get("/admin/campaigns/c2026/print/secrets.txt").status_code == 404
    downloads = actions(session, "download")
    assert [e.details["file"] for e in downloads[:4]] == [
        "c2026-posters-a6.pdf",
        "c2026-posters-a4.pdf",
        "c2026-invitations-a4.pdf",
        "c2026-print.zip",
    ]
    assert len(downloads) == 6
    assert all(e.user_id is not None and e.object_id == str(campaign.id) for e in downloads)


def test_pages_are_in_english_on_request(admin, draft):
    open_campaign(admin)
    html = admin.get("/admin/campaigns/c2026/links?lang=en").get_data(as_text=True)
    assert "Links and printing" in html and "Grassroots units" in html
    chinese = admin.get("/admin/campaigns/c2026/links?lang=zh").get_data(as_text=True)
    assert "链接与打印" in chinese


ROUTES = [
    ("get", "/admin/campaigns/"),
    ("get", "/admin/campaigns/new"),
    ("post", "/admin/campaigns/new"),
    ("get", "/admin/campaigns/c2026"),
    ("post", "/admin/campaigns/c2026"),
    ("get", "/admin/campaigns/c2026/targets"),
    ("post", "/admin/campaigns/c2026/targets"),
    ("get", "/admin/campaigns/c2026/status/open"),
    ("post", "/admin/campaigns/c2026/status/open"),
    ("get", "/admin/campaigns/c2026/links"),
    ("post", "/admin/campaigns/c2026/links/open"),
    ("post", "/admin/campaigns/c2026/invitations"),
    ("post", "/admin/campaigns/c2026/links/1/revoke"),
    ("get", "/admin/campaigns/c2026/links/1/qr.png"),
    ("get", "/admin/campaigns/c2026/print/print.zip"),
]


@pytest.mark.parametrize("role", ["leader", "cadre"])
def test_other_roles_get_403(client, factories, session, draft, role):
    user = factories.user(role)
    session.commit()
    sign_in(client, user.username)
    token = csrf_token(client, {"leader": "/leadership/", "cadre": "/me/"}[role])
    for method, path in ROUTES:
        response = getattr(client, method)(path, data={"csrf_token": token})
        assert response.status_code == 403, (method, path)
    assert stored(session, "c2026").status == "draft"


def test_anonymous_visitors_are_sent_to_sign_in(client, draft):
    response = client.get("/admin/campaigns/c2026")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_campaigns_and_ids_are_404(admin, draft):
    assert admin.get("/admin/campaigns/nope").status_code == 404
    assert post(admin, "/admin/campaigns/nope/status/open").status_code == 404
    assert admin.get("/admin/campaigns/c2026/targets/99999999999/links").status_code == 404
    assert admin.get("/admin/campaigns/c2026/links/99999999999/qr.png").status_code == 404
    assert post(admin, "/admin/campaigns/c2026/links/99999999999/revoke").status_code == 404


def test_a_large_organisation_is_chosen_in_one_save(admin, factories, session):
    unit = factories.unit()
    session.add_all(Cadre(unit=unit, code=f"BIG{n:04d}", name_zh=f"干部{n}") for n in range(1500))
    factories.campaign(code="big")
    session.commit()
    cadre_ids = session.scalars(select(Cadre.id).where(Cadre.code.like("BIG%"))).all()
    saved = post(admin, "/admin/campaigns/big/targets", {"t": [f"c{i}" for i in cadre_ids]})
    assert saved.status_code == 302
    assert len(stored(session, "big").targets) == 1500


def test_a_veto_needs_a_reason_is_audited_and_makes_the_grade_incompetent(
    admin, factories, session
):
    unit = factories.unit()
    points = [factories.service_point(unit=unit) for _ in range(2)]
    campaign = factories.campaign(code="v", targets=points, status="closed")
    campaign.categories[0].min_responses = 2
    for point in points:
        for _ in range(3):
            factories.response(campaign, point)
    session.commit()
    target = campaign.targets[0]
    url = f"/admin/campaigns/v/targets/{target.id}/veto"
    assert post(admin, url, {"veto_reason": "  "}).status_code == 400
    assert post(admin, url, {"veto_reason": "违反廉洁纪律\n（纪委通报）"}).status_code == 302
    page = admin.get(f"/admin/campaigns/v/targets/{target.id}/links").get_data(as_text=True)
    assert "违反廉洁纪律" in page
    run = run_scoring(session, stored(session, "v"))
    session.commit()
    grades = {t["id"]: t["grade"] for t in json.loads(run.result_json)["targets"]}
    vetoed = f"service_point:{points[0].code}"
    assert grades[vetoed] == "incompetent" and grades[f"service_point:{points[1].code}"] != (
        "incompetent"
    )
    lifted = post(admin, url, {"action": "lift"})
    session.rollback()
    assert lifted.status_code == 302
    session.expire_all()
    assert not session.get(CampaignTarget, target.id).veto
    assert [e.action for e in actions(session) if "veto" in e.action] == [
        "campaign.veto",
        "campaign.veto_lifted",
    ]
    stored(session, "v").status = "finalised"
    session.commit()
    assert post(admin, url, {"veto_reason": "late"}).status_code == 409


def test_category_weights_by_pairwise_comparison(admin, draft, session):
    url = "/admin/campaigns/c2026/ahp/categories"
    page = admin.get(url).get_data(as_text=True)
    assert 'name="a0_1"' in page and 'name="a1_2"' in page
    # residents 3× grassroots, 5× service targets; grassroots 2×… (3 is the nearest).
    judged = {"a0_1": "3", "a0_2": "5", "a1_2": "3"}
    computed = post(admin, url, judged)
    assert computed.status_code == 200
    text = computed.get_data(as_text=True)
    assert "0.6" in text and "CR" in text
    saved = post(admin, url, {**judged, "apply": "1"})
    assert saved.status_code == 302
    weights = {row.category: row.weight for row in stored(session, "c2026").categories}
    assert weights["residents"] > weights["grassroots"] > weights["service_targets"]
    assert abs(sum(weights.values()) - 1) < 1e-5
    [entry] = actions(session, "campaign.weights_ahp")
    assert entry.details["cr"] < 0.1

    inconsistent = {"a0_1": "9", "a0_2": "1/9", "a1_2": "9"}
    refused = post(admin, url, {**inconsistent, "apply": "1"})
    assert refused.status_code == 422 and "0.1" in refused.get_data(as_text=True)
    assert post(admin, url, {"a0_1": "4", "a0_2": "1", "a1_2": "1"}).status_code == 400


def test_the_settings_page_shows_the_revision_and_a_draft_chooses_the_quota_rounding(
    admin, draft, session
):
    html = admin.get("/admin/campaigns/c2026").get_data(as_text=True)
    assert draft.scoring_revision == 2
    section = html.split('id="scoring-revision"', 1)[1].split("</p>", 1)[0]
    assert "2" in section
    assert '<select id="f-quota_rounding" name="quota_rounding"' in html
    response = post(admin, "/admin/campaigns/c2026", settings_form(draft, quota_rounding="half_up"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored(session, "c2026").quota_rounding == "half_up"
    [entry] = actions(session, "campaign.edit")
    assert entry.details["changes"]["quota_rounding"] == ["floor", "half_up"]
    html = admin.get("/admin/campaigns/c2026").get_data(as_text=True)
    assert '<option value="half_up" selected>' in html


def test_an_old_campaign_shows_revision_1(admin, draft, session):
    draft.scoring_revision = 1
    session.commit()
    html = admin.get("/admin/campaigns/c2026").get_data(as_text=True)
    section = html.split('id="scoring-revision"', 1)[1].split("</p>", 1)[0]
    assert "1" in section and "2" not in section
