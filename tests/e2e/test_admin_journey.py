"""As a new user would: an administrator of an empty bureau goes from the admin home to
a finalised campaign, the scoring included, by clicks alone; a cadre given a temporary
password is made to change it at the first sign-in. (English pages: ?lang=en once, on the
home page, is remembered.)"""

from __future__ import annotations

from sqlalchemy import select

from appraisal_engine.models import Campaign, ScoringRun, User
from appraisal_engine.services.accounts import create_cadre_accounts

from ..factories import PASSWORD
from .test_survey import AXE, AXE_RUN, add_axe


def _no_violations(page) -> None:
    if (AXE / "axe.min.js").exists():
        add_axe(page)
        violations = [v["id"] for v in page.evaluate(AXE_RUN)["violations"]]
        assert violations == [], (page.url, violations)


def _confirm(page, title: str) -> None:
    """On a status page: the confirmation's own button."""
    page.click(f"main section.card button[type=submit] >> text={title}")
    page.wait_for_load_state()


def test_an_administrator_runs_a_campaign_to_its_finalised_results_by_clicks(
    live_server, desktop, factories, session
):
    unit = factories.unit(code="U1", name_zh="政务服务中心", name_en="Service Centre")
    points = [factories.service_point(unit=unit, code=f"W{n}") for n in (1, 2)]
    version = factories.questionnaire_version("residents")
    factories.user("admin", username="root")
    session.commit()
    page = desktop

    page.goto(f"{live_server}/?lang=en")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.fill("#username", "root")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    _no_violations(page)

    page.click("main >> text=New campaign")
    page.fill("#f-code", "y2026")
    page.fill("#f-name_zh", "2026年度评议")
    page.fill("#f-name_en", "2026 review")
    page.fill("#f-starts_on", "2026-01-01")
    page.fill("#f-ends_on", "2026-12-31")
    page.select_option("select[name=category-residents-version_id]", str(version.id))
    page.fill("input[name=category-residents-min_responses]", "1")
    page.click("main button[type=submit] >> text=Create")
    page.wait_for_url(f"{live_server}/admin/campaigns/y2026")

    page.click("nav.tabs >> text=Targets")
    page.get_by_label("All of this unit").check()
    page.click("main button[type=submit] >> nth=0")
    assert "3 in all" in page.content()

    page.click("nav.tabs >> text=Open the campaign…")
    _confirm(page, "Open the campaign")
    page.wait_for_url(f"{live_server}/admin/campaigns/y2026")
    assert "The campaign is open." in page.content()

    campaign = session.scalar(select(Campaign).where(Campaign.code == "y2026"))
    for subject in (unit, *points):
        for _ in range(3):
            factories.response(campaign, subject)
    session.commit()

    page.click("nav.tabs >> text=Close the campaign…")
    _confirm(page, "Close the campaign")
    assert "The campaign is closed." in page.content()

    page.click("nav.tabs >> text=Scoring")
    page.wait_for_url(f"{live_server}/admin/campaigns/y2026/scoring")
    assert "No scoring run yet." in page.content()
    _no_violations(page)
    page.click("text=Run the scoring now")
    page.wait_for_url(f"{live_server}/admin/campaigns/y2026/scoring")
    session.rollback()
    run = session.scalars(select(ScoringRun)).one()
    assert f"Scoring run {run.id} is stored." in page.content()
    assert run.input_sha256 in page.content()
    _no_violations(page)

    page.click("section[aria-labelledby=finalise] >> text=Finalise the campaign…")
    _confirm(page, "Finalise the campaign")
    page.wait_for_url(f"{live_server}/admin/campaigns/y2026")
    assert "The campaign is finalised." in page.content()
    session.rollback()
    assert session.scalar(select(Campaign.status).where(Campaign.code == "y2026")) == "finalised"
    assert session.get(ScoringRun, run.id).frozen

    page.click("nav.areas >> text=Leadership")
    page.wait_for_url(f"{live_server}/leadership/")
    assert "2026 review" in page.content()
    page.click("text=Administration")
    page.wait_for_url(f"{live_server}/admin/")


def test_a_cadre_with_a_temporary_password_is_made_to_change_it(
    live_server, phone, factories, session
):
    factories.cadre(code="C-001", name_zh="张三", name_en="Zhang San")
    [(_account, temporary)] = create_cadre_accounts(session)
    session.commit()
    page = phone

    page.goto(f"{live_server}/?lang=en")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.fill("#username", "C-001")
    page.fill("#password", temporary)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/account/password")
    assert "temporary password" in page.content()
    assert page.locator("nav.areas").count() == 0
    _no_violations(page)
    page.click("text=Public appraisal")
    page.wait_for_url(f"{live_server}/account/password")

    page.fill("#current_password", temporary)
    page.fill("#new_password", "my own secret 2026")
    page.fill("#new_password_again", "my own secret 2026")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/me/")
    assert "Zhang San" in page.locator("h1").inner_text()
    session.rollback()
    session.expire_all()
    user = session.scalars(select(User).where(User.username == "C-001")).one()
    assert not user.must_change_password
    page.click("nav.areas >> text=My results")
    page.wait_for_url(f"{live_server}/me/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _no_violations(page)
