"""An administrator imports a questionnaire authored in Excel (XLSForm), previews it at
phone width in a real browser, and publishes it."""

from pathlib import Path

from sqlalchemy import select

from appraisal_engine.models import QuestionnaireVersion

from ..factories import PASSWORD

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_xlsform_import_preview_and_publish(live_server, desktop, factories, session, tmp_path):
    factories.user("admin", username="admin")
    session.commit()
    page = desktop
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/questionnaires/")
    page.set_input_files("#import-file", str(EXAMPLES / "questionnaire-xlsform.xlsx"))
    page.click("form[action$='/import'] button[type=submit]")
    page.wait_for_url("**/admin/questionnaires/*/v1")
    assert page.locator(".badge.draft").count() == 1
    page.screenshot(path=str(tmp_path / "version.png"), full_page=True)

    page.click("text=预览")
    frame = page.frame_locator("iframe.phone").first
    questions = frame.locator(".question")
    questions.first.wait_for()
    assert questions.count() >= 4
    first_choice = frame.locator(".question .choice input").first
    first_choice.check()
    width = frame.locator("body").evaluate("b => b.scrollWidth")
    assert width <= 360, "the form fits a 360-pixel phone without sideways scrolling"
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    page.go_back()
    page.wait_for_url("**/v1")
    page.click("form[action$='/publish'] button")
    page.locator(".badge", has_text="已发布").wait_for()
    session.rollback()
    stored = session.scalars(select(QuestionnaireVersion)).one()
    assert page.locator("code").first.inner_text() == stored.content_hash
    assert len(stored.content_hash) == 64


def test_a_standard_xlsform_shows_its_assumed_defaults_and_publishes(
    live_server, desktop, factories, session, tmp_path
):
    from ..forms.xlsforms import office_form

    factories.user("admin", username="admin")
    session.commit()
    page = desktop
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/questionnaires/")
    page.set_input_files("#import-file", str(office_form(tmp_path / "window-2024.xlsx")))
    page.click("form[action$='/import'] button[type=submit]")
    page.wait_for_url("**/admin/questionnaires/window-2024/v1")
    notes = page.locator("#import-assumed li")
    assert notes.count() >= 4
    text = page.locator("#import-assumed").inner_text()
    assert "window-2024" in text and "form_id" in text, "the code, taken from the file name"
    assert "1 最差（0 分），5 最好（100 分）" in text, "the scale read from numeric choice names"
    page.screenshot(path=str(tmp_path / "assumed.png"), full_page=True)

    page.click("text=预览")
    frame = page.frame_locator("iframe.phone").first
    frame.locator(".question").first.wait_for()
    assert frame.locator(".question").count() == 3
    assert frame.get_by_text("非常满意").count() >= 1

    page.go_back()
    page.wait_for_url("**/v1")
    page.click("form[action$='/publish'] button")
    page.locator(".badge", has_text="已发布").wait_for()
    session.rollback()
    stored = session.scalars(select(QuestionnaireVersion)).one()
    assert stored.status == "published" and len(stored.content_hash) == 64


def test_conditional_question_hides_with_script_and_shows_without(
    live_server, chromium, factories, session
):
    from appraisal_engine.services.questionnaires import store_version
    from forms.standard import residents_window

    definition = residents_window()
    definition["questions"].insert(
        1,
        {
            "id": "why",
            "type": "comment",
            "text": {"zh": "哪里不满意？", "en": "What went wrong?"},
            "condition": {"question": "overall", "one_of": ["very_dissatisfied", "dissatisfied"]},
        },
    )
    store_version(session, definition, publish=True)
    factories.user("admin", username="admin")
    session.commit()
    frame_url = f"{live_server}/admin/questionnaires/residents-window/v1/preview/frame"
    for javascript in (True, False):
        context = chromium.new_context(
            viewport={"width": 360, "height": 640}, java_script_enabled=javascript
        )
        page = context.new_page()
        sign_in(page, live_server, "admin")
        page.goto(frame_url)
        why = page.locator("#question-why")
        if javascript:
            assert why.is_hidden()
            page.check("input[name=q_overall][value=dissatisfied]")
            assert why.is_visible()
            assert page.locator("#question-why .condition").is_hidden()
        else:
            assert why.is_visible()
            assert "仅当" in why.inner_text()
        context.close()
