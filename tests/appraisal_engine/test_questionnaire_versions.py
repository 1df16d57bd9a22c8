"""Versions: drafts change, published versions never do — in the service layer and, on
its own, in the database."""

import copy
import json

import pytest
from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import IntegrityError

from appraisal_engine.models import (
    CampaignCategory,
    Indicator,
    Option,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    VersionIndicator,
)
from appraisal_engine.services.questionnaires import (
    VersionLocked,
    definition_of,
    delete_draft,
    new_draft,
    publish_version,
    save_draft,
    store_version,
)
from forms.schema import QuestionnaireError, content_hash, normalise
from forms.standard import STANDARD_QUESTIONNAIRES, residents_window


def refused(session, statement):
    try:
        with session.begin_nested():
            session.execute(statement)
    except IntegrityError as error:
        message = str(error.orig)
        return any(
            reason in message for reason in ("immutable", "must be published", "cannot change")
        )
    return False


@pytest.mark.parametrize("category", sorted(STANDARD_QUESTIONNAIRES))
def test_stored_version_gives_back_its_definition_and_hash(session, category):
    definition = STANDARD_QUESTIONNAIRES[category]()
    version = store_version(session, definition, publish=True)
    assert definition_of(version) == normalise(definition)
    assert version.content_hash == content_hash(definition)
    assert len(version.content_hash) == 64


def test_published_version_is_locked_in_the_database(session):
    version = store_version(session, residents_window(), publish=True)
    session.commit()
    question = version.questions[0]
    option = question.options[0]
    statements = [
        update(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == version.id)
        .values(title_zh="改"),
        update(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == version.id)
        .values(status="draft"),
        delete(QuestionnaireVersion).where(QuestionnaireVersion.id == version.id),
        update(Question).where(Question.id == question.id).values(text_zh="改"),
        delete(Question).where(Question.id == question.id),
        insert(Question).values(
            version_id=version.id,
            key="extra",
            position=99,
            type="comment",
            text_zh="新",
            text_en="",
            help_zh="",
            help_en="",
            required=False,
            weight=1.0,
        ),
        update(Option).where(Option.id == option.id).values(points=0),
        delete(Option).where(Option.id == option.id),
        insert(Option).values(
            question_id=question.id,
            key="x",
            position=9,
            label_zh="新",
            label_en="",
            not_applicable=False,
        ),
        update(VersionIndicator).where(VersionIndicator.version_id == version.id).values(weight=9),
        delete(VersionIndicator).where(VersionIndicator.version_id == version.id),
    ]
    for statement in statements:
        assert refused(session, statement), str(statement)
    session.expire_all()
    assert definition_of(version) == normalise(residents_window())


def test_drafts_can_change_in_the_database(session):
    version = store_version(session, residents_window())
    session.commit()
    session.execute(
        update(Question).where(Question.version_id == version.id).values(text_en="changed")
    )
    first = version.questions[0]
    session.execute(delete(Option).where(Option.question_id == first.id))
    session.commit()
    session.expire_all()
    assert {question.text_en for question in version.questions} == {"changed"}
    assert first.options == []


def test_campaigns_and_responses_only_use_published_versions(session, factories):
    campaign = factories.campaign()
    draft = store_version(session, residents_window() | {"code": "other"})
    statement = (
        update(CampaignCategory)
        .where(CampaignCategory.campaign_id == campaign.id)
        .values(questionnaire_version_id=draft.id)
    )
    assert refused(session, statement)
    raw = text(
        "INSERT INTO responses (campaign_id, campaign_target_id, category, "
        "questionnaire_version_id, channel, status, flag_reasons, receipt_code, language,"
        " submitted_at) VALUES (:c, 1, 'residents', :v, 'web', 'counted', '[]', 'R', 'zh',"
        " CURRENT_TIMESTAMP)"
    )
    assert refused(session, raw.bindparams(c=campaign.id, v=draft.id))


def test_service_layer_refuses_changes_to_published_versions(session):
    version = store_version(session, residents_window(), publish=True)
    with pytest.raises(VersionLocked):
        save_draft(session, version, residents_window())
    with pytest.raises(VersionLocked):
        publish_version(session, version)
    with pytest.raises(VersionLocked):
        delete_draft(session, version, None)


def test_editing_a_published_questionnaire_makes_a_new_draft(session):
    first = store_version(session, residents_window(), publish=True)
    draft = new_draft(session, first.questionnaire)
    assert (draft.number, draft.status) == (2, "draft")
    assert definition_of(draft) == definition_of(first)
    assert new_draft(session, first.questionnaire) is draft, "one draft at a time"
    changed = copy.deepcopy(definition_of(draft))
    changed["questions"][0]["text"]["zh"] = "总体而言，您满意吗？"
    save_draft(session, draft, changed)
    publish_version(session, draft)
    assert draft.content_hash != first.content_hash
    assert definition_of(first) == normalise(residents_window()), "v1 is untouched"


def test_save_draft_validates_and_changes_nothing_on_error(session):
    draft = store_version(session, residents_window())
    broken = copy.deepcopy(definition_of(draft))
    broken["questions"][0]["options"][1]["points"] = 150
    with pytest.raises(QuestionnaireError) as raised:
        save_draft(session, draft, broken)
    assert any(p.path == "questions[0].options[1].points" for p in raised.value.problems)
    session.expire_all()
    assert definition_of(draft) == normalise(residents_window())


def test_reimporting_published_content_reuses_the_version(session):
    first = store_version(session, residents_window(), publish=True)
    again = store_version(session, residents_window(), publish=True)
    assert again.id == first.id
    draft = store_version(session, residents_window())
    assert (draft.number, draft.status) == (2, "draft")
    changed = residents_window()
    changed["title"]["zh"] = "新标题"
    again = store_version(session, changed)
    assert again.id == draft.id, "at most one draft: an import replaces it"
    assert definition_of(again)["title"]["zh"] == "新标题"
    published = store_version(session, changed, publish=True)
    assert (published.id, published.status) == (draft.id, "published")


def test_a_version_with_responses_can_never_change(session, factories, runner, tmp_path):
    cadre = factories.cadre()
    campaign = factories.campaign(targets=[cadre])
    factories.response(campaign, cadre)
    session.commit()
    version = campaign.categories[0].questionnaire_version
    before = definition_of(version)
    with pytest.raises(VersionLocked):
        save_draft(session, version, before)
    for statement in (
        update(Question).where(Question.version_id == version.id).values(required=False),
        update(Option).where(Option.question_id == version.questions[0].id).values(points=0),
        delete(QuestionnaireVersion).where(QuestionnaireVersion.id == version.id),
    ):
        assert refused(session, statement)
    changed = copy.deepcopy(before)
    changed["questions"][0]["text"]["zh"] = "改过的题目"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    session.rollback()
    result = runner.invoke(args=["import-questionnaire", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert f"version: {version.number + 1} (published)" in result.output
    session.rollback()
    session.expire_all()
    assert definition_of(version) == before, "the CLI made a new version; the old one stands"


def test_negative_zero_keeps_the_hash(session):
    definition = residents_window()
    definition["questions"][0]["weight"] = -0.0
    version = store_version(session, definition, publish=True)
    assert version.content_hash == content_hash(definition)
    assert store_version(session, definition, publish=True).id == version.id


def test_insert_or_replace_cannot_rewrite_a_published_version(session, backend):
    if backend != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    version = store_version(session, residents_window(), publish=True)
    draft = store_version(session, residents_window() | {"code": "other"})
    session.commit()
    comment = next(q for q in version.questions if q.type == "comment")
    statement = text(
        "INSERT OR REPLACE INTO questions (id, version_id, key, position, type, text_zh, text_en,"
        " help_zh, help_en, required, weight) VALUES (:id, :draft, 'x', 0, 'comment', 'x', '',"
        " '', '', 0, 1.0)"
    ).bindparams(id=comment.id, draft=draft.id)
    assert refused(session, statement)


def test_codes_in_a_published_version_cannot_be_renamed(session):
    version = store_version(session, residents_window(), publish=True)
    session.commit()
    assert refused(session, update(Questionnaire).values(code="renamed"))
    assert refused(
        session, update(Indicator).where(Indicator.code == "overall").values(code="renamed")
    )
    draft_only = store_version(session, residents_window() | {"code": "draft-only"})
    session.execute(
        update(Questionnaire)
        .where(Questionnaire.id == draft_only.questionnaire_id)
        .values(code="renamed-draft")
    )
    session.commit()
    session.expire_all()
    assert definition_of(version) == normalise(residents_window())
