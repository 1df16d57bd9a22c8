"""Each role signs in with a real browser and walks its pages: the cadre their own
result, leadership the dashboard, ranking, charts and a report, the administrator the
campaign pages. Nobody reaches another role's pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from appraisal_engine.models import Kiosk, utcnow
from appraisal_engine.services.scoring_runs import run_scoring

from ..factories import PASSWORD
from .test_survey import AXE, AXE_RUN, add_axe


@pytest.fixture
def finalised(factories, session):
    unit = factories.unit(code="U01", name_zh="政务服务中心")
    me = factories.cadre(unit=unit, code="C01", name_zh="张三")
    other = factories.cadre(unit=unit, code="C02", name_zh="李四")
    point = factories.service_point(unit=unit, code="W01", name_zh="1号窗口")
    campaign = factories.campaign(
        code="y2026", name_zh="2026年度测评", targets=[unit, point, me, other], status="closed"
    )
    for category in campaign.categories:
        category.min_responses = 2
    for subject, count in ((me, 6), (other, 4), (point, 5)):
        for _ in range(count):
            factories.response(campaign, subject)
    session.commit()
    run = run_scoring(session, campaign)
    run.frozen = True
    campaign.status = "finalised"
    session.add(
        Kiosk(
            link_id=factories.link(campaign, point).id,
            label="1号窗口平板",
            expires_at=utcnow() + timedelta(days=30),
        )
    )
    factories.user("cadre", username="zhang", cadre_code="C01")
    factories.user("leader", username="boss")
    factories.user("admin", username="root")
    session.commit()
    return campaign


def _sign_in(page, server, username):
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _image_loaded(page, selector):
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_a_cadre_reads_their_own_result_on_a_phone(finalised, live_server, phone):
    _sign_in(phone, live_server, "zhang")
    phone.wait_for_url(f"{live_server}/me/")
    assert "张三" in phone.locator("h1").inner_text()
    assert "李四" not in phone.content()
    phone.click("text=结果是怎样得出的")
    phone.wait_for_url(f"{live_server}/me/campaigns/y2026")
    assert "您的名次在第" in phone.content()
    wide = phone.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, wide
    if (AXE / "axe.min.js").exists():
        add_axe(phone)
        violations = [v["id"] for v in phone.evaluate(AXE_RUN)["violations"]]
        assert violations == [], violations
    for forbidden in ("/leadership/", "/admin/", "/leadership/campaigns/y2026/ranking"):
        assert phone.goto(f"{live_server}{forbidden}").status == 403


def test_leadership_walks_dashboard_ranking_charts_and_a_report(finalised, live_server, desktop):
    _sign_in(desktop, live_server, "boss")
    desktop.wait_for_url(f"{live_server}/leadership/")
    desktop.click("text=2026年度测评")
    desktop.wait_for_url(f"{live_server}/leadership/campaigns/y2026")
    assert _image_loaded(desktop, "img.chart")
    desktop.click("nav.tabs >> text=排名")
    desktop.click("nav.tabs >> nth=1 >> text=干部")
    desktop.wait_for_load_state("networkidle")
    assert "张三" in desktop.content() and "李四" in desktop.content()
    images = desktop.locator("img.chart")
    assert images.count() >= 2
    for n in range(images.count()):
        assert images.nth(n).evaluate("img => img.complete && img.naturalWidth > 0")
    with desktop.expect_download() as download:
        desktop.click("text=Report CSV" if "Report" in desktop.content() else "text=报告 CSV")
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and "张三".encode() in body
    assert desktop.goto(f"{live_server}/admin/").status == 403
    assert desktop.goto(f"{live_server}/me/").status == 403


def test_an_administrator_reaches_the_campaign_pages(finalised, live_server, desktop):
    _sign_in(desktop, live_server, "root")
    desktop.wait_for_url(f"{live_server}/admin/")
    assert desktop.goto(f"{live_server}/admin/campaigns/y2026").status == 200
    assert desktop.goto(f"{live_server}/admin/campaigns/y2026/review").status == 200
    for path in ("/admin/campaigns/y2026/kiosks", "/admin/users/"):
        assert desktop.goto(f"{live_server}{path}").status == 200
        if (AXE / "axe.min.js").exists():
            add_axe(desktop)
            violations = [v["id"] for v in desktop.evaluate(AXE_RUN)["violations"]]
            assert violations == [], (path, violations)
    assert desktop.goto(f"{live_server}/leadership/campaigns/y2026/ranking").status == 200
    assert desktop.goto(f"{live_server}/me/").status == 403


def test_an_administrator_gives_a_cadre_an_account_that_signs_in_and_changes_its_password(
    finalised, live_server, desktop, chromium
):
    _sign_in(desktop, live_server, "root")
    desktop.wait_for_url(f"{live_server}/admin/")
    desktop.click("text=用户")
    desktop.click("text=新建用户")
    if (AXE / "axe.min.js").exists():
        add_axe(desktop)
        violations = [v["id"] for v in desktop.evaluate(AXE_RUN)["violations"]]
        assert violations == [], violations
    desktop.fill("#f-username", "lisi")
    desktop.select_option("#f-role", "cadre")
    desktop.fill("#f-cadre", "C02")
    desktop.click("button[type=submit] >> text=创建")
    password = desktop.locator("code.secret").inner_text()

    context = chromium.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("#username", "lisi")
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/account/password")
        page.fill("#current_password", password)
        page.fill("#new_password", "lisi's own secret")
        page.fill("#new_password_again", "lisi's own secret")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server}/me/")
        assert "李四" in page.locator("h1").inner_text()
    finally:
        context.close()
