"""Wide tables fit a 1,280 px desktop (nothing off-screen) and, on a phone, scroll
inside their card rather than the page; the public form's language link stays on one
line at 360 px."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from appraisal_engine.models import Link

from .test_roles import _sign_in, finalised  # noqa: F401  (a fixture)
from .test_survey import AXE, AXE_RUN, add_axe

#: Elements that reach past the right edge of their <main>, for the message.
OFF_SCREEN = (
    "() => { const edge = document.querySelector('main').getBoundingClientRect().right;"
    " return [...document.querySelectorAll('main *')]"
    ".filter(e => e.getBoundingClientRect().right > edge + 1 && !e.closest('.scroll'))"
    ".concat([...document.querySelectorAll('.scroll')]"
    ".filter(s => s.scrollWidth > s.clientWidth + 1))"
    ".map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30))"
    "}"
)


def _no_violations(page) -> None:
    if (AXE / "axe.min.js").exists():
        add_axe(page)
        violations = [v["id"] for v in page.evaluate(AXE_RUN)["violations"]]
        assert violations == [], violations


@pytest.fixture
def open_campaign(factories, session):
    """An open campaign of long names whose targets have open links and invitation
    codes of both invited categories, as the links page shows them."""
    unit = factories.unit(
        code="U-CENTRE", name_zh="政务服务中心", name_en="Government Service Centre"
    )
    point = factories.service_point(
        unit=unit, code="W-01", name_zh="不动产登记窗口", name_en="Real estate registration window"
    )
    cadres = [
        factories.cadre(unit=unit, code=f"C-{n:02}", name_zh=f"干部{n}", name_en=f"Cadre {n}")
        for n in range(3)
    ]
    campaign = factories.campaign(
        code="open2026",
        name_zh="2026年度评议",
        name_en="2026 annual public appraisal of the bureau",
        targets=[unit, point, *cadres],
        status="open",
    )
    for target in campaign.targets:
        factories.link(campaign, target.subject)
        for category in ("grassroots", "service_targets"):
            factories.link(campaign, target.subject, category=category, kind="invitation")
    factories.user("admin", username="root")
    session.commit()
    return campaign


def _fits(page, live_server: str, path: str) -> None:
    page.goto(f"{live_server}{path}")
    assert page.locator("table").count() >= 1
    if page.viewport_size["width"] > 1000:
        assert page.evaluate(OFF_SCREEN) == [], path
    else:
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.scroll'))"
            ".map(e => e.tagName + '.' + e.className)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (path, wide)
    _no_violations(page)


def test_the_links_table_fits_a_desktop_and_scrolls_in_its_card_on_a_phone(
    open_campaign, live_server, desktop, phone
):
    for page in (desktop, phone):
        _sign_in(page, live_server, "root")
        for lang in ("en", "zh"):
            _fits(page, live_server, f"/admin/campaigns/open2026/links?lang={lang}")


def test_the_ranking_fits_a_desktop_and_scrolls_in_its_card_on_a_phone(
    finalised,  # noqa: F811
    live_server,
    desktop,
    phone,
):
    for page in (desktop, phone):
        _sign_in(page, live_server, "boss")
        for level in ("cadre", "unit"):
            for lang in ("en", "zh"):
                path = f"/leadership/campaigns/y2026/ranking?lang={lang}&level={level}"
                _fits(page, live_server, path)


def test_the_language_link_stays_on_one_line_on_a_phone(open_campaign, live_server, phone, session):
    token = session.scalar(select(Link.token).where(Link.kind == "open").limit(1))
    phone.goto(f"{live_server}/s/{token}?lang=en")
    link = phone.locator(".top a[hreflang]")
    assert link.inner_text() == "中文"
    lines = link.evaluate(
        "a => { const range = document.createRange(); range.selectNodeContents(a);"
        " return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size }"
    )
    assert lines == 1
