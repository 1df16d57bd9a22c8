"""A resident's path in a real browser: the poster's QR code, decoded by a real decoder,
opens the form; answered and submitted, with script and without, it shows a receipt and
the response is in the database. The form passes axe-core at phone size."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from appraisal_engine.models import Response
from appraisal_engine.services.printing import write_print_files

AXE_RUN = (
    "axe.run(document, {runOnly: {type: 'tag',"
    " values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
)
AXE = Path(__file__).resolve().parents[2] / ".ci" / "node" / "node_modules" / "axe-core"


def add_axe(page) -> None:
    """Load axe-core into the page through DevTools: the app's Content-Security-Policy
    refuses the inline script that Playwright's add_script_tag would write."""
    page.evaluate("() => {" + (AXE / "axe.min.js").read_text(encoding="utf-8") + "\n}")


def _need(command: str, package: str) -> str:
    path = shutil.which(command)
    if path is None:
        pytest.skip(f"this test needs {command} (apt-get install -y {package})")
    return path


@pytest.fixture
def campaign_with_poster(app, live_server, factories, session, tmp_path):
    """An open campaign with one window, its poster printed for the live server's URL,
    and the URL decoded back from the printed PDF."""
    pdftoppm = _need("pdftoppm", "poppler-utils")
    zbarimg = _need("zbarimg", "zbar-tools")
    app.config["FLAG_SECONDS_PER_ANSWER"] = 0
    unit = factories.unit(name_zh="市场监督管理局", name_en="Market Regulation Bureau")
    point = factories.service_point(
        unit=unit, name_zh="食品许可窗口", name_en="Food licence window"
    )
    cadre = factories.cadre(unit=unit, name_zh="王静", name_en="Wang Jing")
    cadre.service_points.append(point)
    campaign = factories.campaign(
        targets=[unit, point, cadre], status="open", name_zh="2026年度评议", name_en="2026 review"
    )
    link = factories.link(campaign, point)
    session.commit()
    written = write_print_files(session, campaign, live_server, tmp_path / "print")
    poster = next(p for p in written if p.name == "posters-a6.pdf")
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", poster, tmp_path / "page"],
        check=True,
    )
    image = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(
        [zbarimg, "-q", "--raw", image], capture_output=True, text=True, check=False
    ).stdout.strip()
    assert decoded == f"{live_server}/s/{link.token}"
    return {"url": decoded, "cadre": cadre}


def _answer_and_submit(page, live_server: str, cadre) -> str:
    page.check("#q_overall-4")
    page.check("#q_attitude-3")
    page.check("#q_efficiency-4")
    page.check("#q_integrity-5")
    page.fill("#q_comment", "材料一次讲清楚了")
    page.select_option("#served_by", value=str(cadre.id))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(live_server) + r"/r/[0-9A-Z]+\?new=1"))
    return page.locator(".code").inner_text().strip()


def _stored(session, code: str) -> Response:
    session.rollback()
    response = session.scalar(select(Response).where(Response.receipt_code == code))
    assert response is not None
    return response


def test_scan_answer_and_get_a_receipt_with_script(
    campaign_with_poster, live_server, phone, session
):
    phone.goto(campaign_with_poster["url"])
    assert phone.title() == "窗口服务评价"
    assert "食品许可窗口" in phone.locator(".subject").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    code = _answer_and_submit(phone, live_server, campaign_with_poster["cadre"])
    assert "感谢" in phone.locator("h1").inner_text()
    response = _stored(session, code)
    assert response.served_by_cadre_id == campaign_with_poster["cadre"].id
    assert len(response.answers) == 5 and response.status == "counted"


def test_scan_answer_and_get_a_receipt_without_script(
    campaign_with_poster, live_server, chromium, session
):
    context = chromium.new_context(
        viewport={"width": 320, "height": 640}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(campaign_with_poster["url"])
        page.click("text=English")
        assert "Food licence window" in page.locator(".subject").inner_text()
        code = _answer_and_submit(page, live_server, campaign_with_poster["cadre"])
        assert page.locator("h1").inner_text() == "Thank you!"
        response = _stored(session, code)
        assert response.language == "en" and response.channel == "web"
    finally:
        context.close()


def test_the_form_has_no_accessibility_violations(campaign_with_poster, phone, chromium):
    if not (AXE / "axe.min.js").exists():
        pytest.skip("axe-core is not installed: npm install --prefix .ci/node axe-core@4")
    for url in (campaign_with_poster["url"], campaign_with_poster["url"] + "?lang=en"):
        phone.goto(url)
        add_axe(phone)
        result = phone.evaluate(AXE_RUN)
        violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == [], violations
    # The page with its messages after an empty submit, too.
    phone.goto(campaign_with_poster["url"])
    phone.evaluate("document.querySelector('form').noValidate = true")
    phone.click("button[type=submit]")
    phone.wait_for_selector(".error")
    add_axe(phone)
    result = phone.evaluate(AXE_RUN)
    assert [v["id"] for v in result["violations"]] == []


def test_a_kiosk_form_opens_again_for_the_next_person(
    campaign_with_poster, live_server, chromium, session
):
    context = chromium.new_context(viewport={"width": 800, "height": 1200}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(campaign_with_poster["url"] + "?kiosk=1")
        _answer_and_submit(page, live_server, campaign_with_poster["cadre"])
        page.wait_for_url(campaign_with_poster["url"] + "?kiosk=1&lang=zh", timeout=15_000)
        assert page.locator("#q_overall-4").is_checked() is False
    finally:
        context.close()


def test_the_forms_script_runs_under_the_content_security_policy(
    live_server, phone, factories, session
):
    """The form's one inline script, allowed by its response's nonce, hides a question
    whose condition does not hold and shows it when it does; nothing is refused."""
    from appraisal_engine.services.questionnaires import store_version
    from forms.standard import residents_window

    definition = residents_window()
    definition["code"] = "residents-conditional"
    definition["questions"].insert(
        1,
        {
            "id": "why",
            "type": "comment",
            "text": {"zh": "哪里不满意？", "en": "What went wrong?"},
            "condition": {"question": "overall", "one_of": ["very_dissatisfied", "dissatisfied"]},
        },
    )
    version = store_version(session, definition, publish=True)
    point = factories.service_point(unit=factories.unit())
    campaign = factories.campaign(targets=[point])
    next(
        c for c in campaign.categories if c.category == "residents"
    ).questionnaire_version = version
    session.flush()
    campaign.status = "open"
    link = factories.link(campaign, point)
    session.commit()

    response = phone.goto(f"{live_server}/s/{link.token}")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'nonce-" in policy
    why = phone.locator("#question-why")
    assert why.is_hidden(), "the script ran"
    phone.check("input[name=q_overall][value=dissatisfied]")
    assert why.is_visible()
    assert phone.locator("#question-why .condition").is_hidden()


def test_the_demos_residents_form_fits_a_phone(app, live_server, session, chromium):
    """At 360×740 the demo's residents' form takes at most 1.3 screens in Chinese, with no
    sideways scroll: a five-level scale is one row of five targets. It still passes
    axe-core."""
    from appraisal_engine.services.demo import build_demo

    demo = build_demo(session)
    session.commit()
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    try:
        # English words are longer than Chinese characters: its questions wrap more.
        for language, screens in (("zh", 1.3), ("en", 1.7)):
            page.goto(f"{live_server}/s/{demo.public_token}?lang={language}")
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height <= screens * 740, f"{language}: {height} px tall"
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            scale = page.locator(".choices.scale").first.bounding_box()
            assert scale is not None and scale["height"] < 100, "a scale is one row"
        if (AXE / "axe.min.js").exists():
            add_axe(page)
            result = page.evaluate(AXE_RUN)
            assert result["violations"] == [], result["violations"]
    finally:
        context.close()
