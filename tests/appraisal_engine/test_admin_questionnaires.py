"""The questionnaire builder in the admin UI, as an administrator uses it."""

import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from appraisal_engine.models import AuditEntry, Questionnaire, QuestionnaireVersion
from appraisal_engine.services.questionnaires import definition_of, store_version
from forms.schema import content_hash, normalise
from forms.standard import residents_window

from .test_auth import csrf_token, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def admin(client, factories, session):
    user = factories.user("admin")
    session.commit()
    sign_in(client, user.username)
    return client


def post(client, path, data=None, **kwargs):
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, "/admin/questionnaires/"), **(data or {})},
        **kwargs,
    )


def version(session, code, number):
    session.rollback()  # a new snapshot: the app committed in its own session
    return session.scalar(
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(Questionnaire.code == code, QuestionnaireVersion.number == number)
    )


def test_admin_creates_edits_previews_and_publishes(admin, session):
    created = post(
        admin,
        "/admin/questionnaires/new",
        {"code": "window", "title_zh": "窗口评价", "title_en": "Window"},
    )
    assert created.status_code == 302
    assert created.headers["Location"] == "/admin/questionnaires/window/v1"
    page = admin.get("/admin/questionnaires/window/v1").get_data(as_text=True)
    assert "窗口评价" in page and "草稿" in page

    added = post(admin, "/admin/questionnaires/window/v1/questions/add", {"type": "yes_no"})
    assert added.headers["Location"] == "/admin/questionnaires/window/v1/questions/q1"
    edit = admin.get("/admin/questionnaires/window/v1/questions/q1")
    assert edit.status_code == 200

    saved = post(
        admin,
        "/admin/questionnaires/window/v1/questions/q1",
        {
            "id": "waited",
            "type": "yes_no",
            "text_zh": "您排队超过20分钟了吗？",
            "text_en": "Did you wait more than 20 minutes?",
            "indicator": "overall",
            "weight": "1",
            "option_rows": "2",
            "option-0-id": "no",
            "option-0-label_zh": "否",
            "option-0-label_en": "No",
            "option-0-points": "100",
            "option-1-id": "yes",
            "option-1-label_zh": "是",
            "option-1-label_en": "Yes",
            "option-1-points": "0",
            "condition_question": "overall",
            "condition_one_of": ["very_dissatisfied", "dissatisfied"],
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    definition = definition_of(version(session, "window", 1))
    waited = definition["questions"][1]
    assert waited["id"] == "waited"
    assert [o["points"] for o in waited["options"]] == [100, 0]
    assert waited["condition"] == {
        "question": "overall",
        "one_of": ["very_dissatisfied", "dissatisfied"],
    }

    frame = admin.get("/admin/questionnaires/window/v1/preview/frame")
    html = frame.get_data(as_text=True)
    assert frame.status_code == 200
    assert "您排队超过20分钟了吗？" in html
    assert 'name="q_waited"' in html
    assert "不满意" in html, "the condition is stated in words for a form without script"
    english = admin.get("/admin/questionnaires/window/v1/preview/frame?form_lang=en")
    assert "Did you wait more than 20 minutes?" in english.get_data(as_text=True)
    assert admin.get("/admin/questionnaires/window/v1/preview").status_code == 200

    published = post(admin, "/admin/questionnaires/window/v1/publish")
    assert published.status_code == 302
    stored = version(session, "window", 1)
    assert stored.status == "published"
    assert stored.content_hash == content_hash(definition_of(stored))
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "questionnaire.publish" in actions and "questionnaire.create" in actions


def test_errors_appear_beside_their_fields_and_nothing_is_saved(admin, session):
    store_version(session, residents_window())
    session.commit()
    before = definition_of(version(session, "residents-window", 1))
    form = {
        "id": "overall",
        "type": "satisfaction5",
        "text_zh": "",
        "text_en": "x",
        "indicator": "overall",
        "weight": "1",
        "option_rows": "1",
        "option-0-id": "very_dissatisfied",
        "option-0-label_zh": "很差",
        "option-0-points": "150",
    }
    response = post(admin, "/admin/questionnaires/residents-window/v1/questions/overall", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "未保存" in html
    points_cell = re.search(r'name="option-0-points".*?</td>', html, re.S).group(0)
    assert 'class="error"' in points_cell, "the points error stands beside the points field"
    text_block = re.search(r'id="text_zh".*?</textarea>\s*<p class="error"', html, re.S)
    assert text_block, "the empty Chinese text is reported beside it"
    assert definition_of(version(session, "residents-window", 1)) == before


def test_published_versions_cannot_be_edited_through_the_ui(admin, session):
    store_version(session, residents_window(), publish=True)
    session.commit()
    before = definition_of(version(session, "residents-window", 1))
    page = admin.get("/admin/questionnaires/residents-window/v1").get_data(as_text=True)
    assert "/questions/add" not in page, "no editing controls on a published version"
    attempts = [
        ("/admin/questionnaires/residents-window/v1/general", {"title_zh": "改"}),
        ("/admin/questionnaires/residents-window/v1/indicators", {"rows": "0"}),
        ("/admin/questionnaires/residents-window/v1/questions/add", {"type": "comment"}),
        ("/admin/questionnaires/residents-window/v1/questions/overall/delete", {}),
        ("/admin/questionnaires/residents-window/v1/questions/overall/move", {"direction": "down"}),
        ("/admin/questionnaires/residents-window/v1/publish", {}),
        ("/admin/questionnaires/residents-window/v1/delete", {}),
    ]
    for path, data in attempts:
        assert post(admin, path, data).status_code == 409, path
    assert definition_of(version(session, "residents-window", 1)) == before

    made = post(admin, "/admin/questionnaires/residents-window/new-version")
    assert made.headers["Location"] == "/admin/questionnaires/residents-window/v2"
    assert version(session, "residents-window", 2).status == "draft"


def test_import_and_export_buttons(admin, session):
    data = {
        "file": (io.BytesIO((EXAMPLES / "questionnaire-xlsform.xlsx").read_bytes()), "survey.xlsx"),
        "publish": "1",
    }
    imported = post(admin, "/admin/questionnaires/import", data, content_type="multipart/form-data")
    assert imported.status_code == 302, imported.get_data(as_text=True)
    stored = session.scalars(select(QuestionnaireVersion)).one()
    assert stored.status == "published"
    path = f"/admin/questionnaires/{stored.questionnaire.code}/v1/export.json"
    exported = admin.get(path)
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    document = json.loads(exported.get_data(as_text=True))
    assert content_hash(document) == stored.content_hash
    xlsx = admin.get(f"/admin/questionnaires/{stored.questionnaire.code}/v1/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"

    bad = post(
        admin,
        "/admin/questionnaires/import",
        {"file": (io.BytesIO(b'{"format": "nope"}'), "bad.json")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "format" in bad.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1


def test_preview_checks_answers_on_the_server(admin, session):
    store_version(session, residents_window(), publish=True)
    session.commit()
    frame = "/admin/questionnaires/residents-window/v1/preview/frame"
    empty = post(admin, frame, {})
    assert empty.status_code == 400, "required questions unanswered"
    answered = post(
        admin,
        frame,
        {
            "q_overall": "satisfied",
            "q_attitude": "very_satisfied",
            "q_efficiency": "neutral",
            "q_integrity": "not_applicable",
        },
    )
    assert answered.status_code == 200
    assert "would be recorded" in answered.get_data(
        as_text=True
    ) or "将记录为" in answered.get_data(as_text=True)
    assert definition_of(version(session, "residents-window", 1)) == normalise(residents_window())


def test_other_roles_cannot_reach_the_builder(client, factories, session):
    user = factories.user("leader")
    session.commit()
    sign_in(client, user.username)
    assert client.get("/admin/questionnaires/").status_code == 403


def test_malformed_posts_are_clear_errors_not_crashes(admin, session):
    store_version(session, residents_window())
    session.commit()
    base = "/admin/questionnaires/residents-window/v1"
    assert post(admin, f"{base}/indicators", {"rows": "abc"}).status_code == 400
    assert post(admin, f"{base}/indicators", {"rows": "10000000"}).status_code == 400
    assert post(admin, f"{base}/questions/overall", {"option_rows": "x"}).status_code == 400
    assert post(admin, f"{base}/questions/nope", {"id": "x"}).status_code == 404
    assert (
        admin.get("/admin/questionnaires/residents-window/v99999999999999999999").status_code == 404
    )


def test_a_questionnaire_never_published_can_be_deleted(admin, session):
    store_version(session, residents_window())
    session.commit()
    base = "/admin/questionnaires/residents-window/v1"
    deleted = post(admin, f"{base}/delete")
    assert deleted.status_code == 302
    assert admin.get(base).status_code == 404
    session.expire_all()
    assert (
        session.scalar(select(Questionnaire).where(Questionnaire.code == "residents-window"))
        is None
    )
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "questionnaire.delete")
    ).one()
    assert entry.details == {"code": "residents-window", "version": 1}


def test_a_published_questionnaire_keeps_its_versions(admin, session):
    store_version(session, residents_window(), publish=True)
    session.commit()
    base = "/admin/questionnaires/residents-window/v1"
    assert post(admin, f"{base}/delete").status_code == 409, "a published version stays"
    assert admin.get(base).status_code == 200


def test_large_uploads_up_to_four_megabytes_are_accepted(admin, session):
    definition = residents_window()
    definition["intro"]["en"] = "x" * 1500
    for n in range(120):
        definition["questions"].append(
            {
                "id": f"extra{n}",
                "type": "comment",
                "text": {"zh": "补充意见" * 20, "en": "More comments " * 20},
            }
        )
    document = json.dumps(definition, ensure_ascii=False).encode()
    assert len(document) > 64 * 1024
    response = post(
        admin,
        "/admin/questionnaires/import",
        {"file": (io.BytesIO(document), "big.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.status_code


@pytest.mark.parametrize("make", ["kobo_form", "office_form"])
def test_a_standard_xlsform_imports_previews_and_publishes(admin, session, tmp_path, make):
    from tests.forms import xlsforms

    path = getattr(xlsforms, make)(tmp_path / "满意度 window-survey.xlsx")
    data = {"file": (io.BytesIO(path.read_bytes()), path.name)}
    imported = post(
        admin, "/admin/questionnaires/import?lang=en", data, content_type="multipart/form-data"
    )
    assert imported.status_code == 302, imported.get_data(as_text=True)
    code = "kobo_window" if make == "kobo_form" else "window-survey"
    assert imported.headers["Location"] == f"/admin/questionnaires/{code}/v1"
    page = admin.get(imported.headers["Location"]).get_data(as_text=True)
    assumed = page[page.index('id="import-assumed"') :]
    assert "the choices 1 to 5 are a rating scale, 1 the worst (0 points)" in assumed
    if make == "office_form":
        assert "the code is &#34;window-survey&#34;, from the file name" in assumed
        assert "count towards one indicator, &#34;overall&#34;" in assumed
    else:
        assert "the group &#34;attitude&#34; is the indicator &#34;attitude&#34;" in assumed
    assert 'id="import-assumed"' not in admin.get(imported.headers["Location"]).get_data(
        as_text=True
    )
    frame = admin.get(f"/admin/questionnaires/{code}/v1/preview/frame")
    assert frame.status_code == 200 and "非常满意" in frame.get_data(as_text=True)
    published = post(admin, f"/admin/questionnaires/{code}/v1/publish")
    assert published.status_code == 302
    stored = version(session, code, 1)
    assert stored.status == "published" and stored.content_hash


def test_import_problems_name_the_sheet_and_row_in_the_page_language(admin, session, tmp_path):
    from tests.forms.xlsforms import save

    path = save(
        tmp_path / "bad.xlsx", {"survey": [["type", "name", "label"], ["geopoint", "g", "位置"]]}
    )
    data = {"file": (io.BytesIO(path.read_bytes()), path.name)}
    refused = post(
        admin, "/admin/questionnaires/import?lang=en", data, content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    assert "survey row 2: question type &#34;geopoint&#34; is not supported" in refused.get_data(
        as_text=True
    )


def test_the_default_overall_indicator_of_a_new_questionnaire_can_be_renamed(admin, session):
    post(
        admin,
        "/admin/questionnaires/new",
        {"code": "renamed", "title_zh": "改名", "title_en": "Renamed"},
    )
    page = admin.get("/admin/questionnaires/renamed/v1").get_data(as_text=True)
    assert 'name="indicator-0-was" value="overall"' in page
    saved = post(
        admin,
        "/admin/questionnaires/renamed/v1/indicators",
        {
            "rows": "1",
            "indicator-0-id": "attitude",
            "indicator-0-was": "overall",
            "indicator-0-name_zh": "服务态度",
            "indicator-0-name_en": "Attitude",
            "indicator-0-weight": "1",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    definition = definition_of(version(session, "renamed", 1))
    assert [indicator["id"] for indicator in definition["indicators"]] == ["attitude"]
    assert definition["questions"][0]["indicator"] == "attitude"
