"""Questionnaires and their versions: import, edit drafts, publish, new versions.

A version is stored from its normalised definition (forms.schema) and can be turned back
into exactly that definition, so export, re-import and the content hash agree. Only a
draft can change; a published version is locked here and, independently, by triggers in
the database (migration 0002).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.problems import N_
from forms.schema import QuestionnaireError, content_hash, normalise, validate

from ..models import (
    Indicator,
    Option,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    User,
    VersionIndicator,
    utcnow,
)
from .audit import Actor, record


class VersionLocked(Exception):
    """A published version cannot be changed; make a new version instead."""


def check_definition(definition: Any) -> dict[str, Any]:
    """The normalised definition; QuestionnaireError listing every problem otherwise."""
    problems = validate(definition)
    if problems:
        raise QuestionnaireError(problems)
    return normalise(definition)


def _text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def definition_of(version: QuestionnaireVersion) -> dict[str, Any]:
    """The normalised definition that `version` stores."""
    questions = []
    for question in version.questions:
        spec: dict[str, Any] = {
            "id": question.key,
            "type": question.type,
            "text": _text(question.text_zh, question.text_en),
            "help": _text(question.help_zh, question.help_en),
            "required": question.required,
            "weight": question.weight,
        }
        if question.indicator is not None:
            spec["indicator"] = question.indicator.code
        if question.scale_size is not None:
            spec["scale"] = question.scale_size
        if question.options:
            spec["options"] = [
                {
                    "id": option.key,
                    "label": _text(option.label_zh, option.label_en),
                    "points": option.points,
                    "not_applicable": option.not_applicable,
                }
                for option in question.options
            ]
        if question.condition is not None:
            spec["condition"] = question.condition
        questions.append(spec)
    return normalise(
        {
            "format": "appraisal-questionnaire/1",
            "code": version.questionnaire.code,
            "title": _text(version.title_zh, version.title_en),
            "intro": _text(version.intro_zh, version.intro_en),
            "indicators": [
                {
                    "id": weight.indicator.code,
                    "name": _text(weight.name_zh, weight.name_en),
                    "weight": weight.weight,
                }
                for weight in version.indicator_weights
            ],
            "questions": questions,
        }
    )


def _indicator(session: Session, spec: dict[str, Any]) -> Indicator:
    indicator = session.scalar(select(Indicator).where(Indicator.code == spec["id"]))
    if indicator is None:
        indicator = Indicator(
            code=spec["id"], name_zh=spec["name"]["zh"], name_en=spec["name"].get("en", "")
        )
        session.add(indicator)
    return indicator


def _fill(session: Session, version: QuestionnaireVersion, definition: dict[str, Any]) -> None:
    """Set the content of a (draft) version from a normalised definition."""
    if version.questions or version.indicator_weights:
        # Delete the old rows first: the new ones reuse their (version, key) pairs.
        version.questions = []
        version.indicator_weights = []
        session.flush()
    with session.no_autoflush:  # the version is incomplete until the end of this function
        indicators = {spec["id"]: _indicator(session, spec) for spec in definition["indicators"]}
    version.title_zh = definition["title"]["zh"]
    version.title_en = definition["title"].get("en", "")
    intro = definition.get("intro") or {}
    version.intro_zh = intro.get("zh", "")
    version.intro_en = intro.get("en", "")
    version.indicator_weights = [
        VersionIndicator(
            indicator=indicators[spec["id"]],
            weight=spec["weight"],
            name_zh=spec["name"]["zh"],
            name_en=spec["name"].get("en", ""),
            position=position,
        )
        for position, spec in enumerate(definition["indicators"])
    ]
    questions = []
    for position, spec in enumerate(definition["questions"]):
        help_text = spec.get("help") or {}
        question = Question(
            key=spec["id"],
            position=position,
            type=spec["type"],
            text_zh=spec["text"]["zh"],
            text_en=spec["text"].get("en", ""),
            help_zh=help_text.get("zh", ""),
            help_en=help_text.get("en", ""),
            required=spec.get("required", False),
            indicator=indicators[spec["indicator"]] if spec.get("indicator") else None,
            weight=spec.get("weight", 1.0),
            scale_size=spec.get("scale"),
            condition=spec.get("condition"),
        )
        question.options = [
            Option(
                key=option["id"],
                position=index,
                label_zh=option["label"]["zh"],
                label_en=option["label"].get("en", ""),
                points=option.get("points"),
                not_applicable=option.get("not_applicable", False),
            )
            for index, option in enumerate(spec.get("options") or [])
        ]
        questions.append(question)
    version.questions = questions


def latest_version(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire.id)
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )


def import_questionnaire(
    session: Session,
    definition: dict[str, Any],
    *,
    file_name: str,
    by: Actor,
    publish: bool = False,
) -> QuestionnaireVersion:
    """Store an imported file's questionnaire as its next version (`store_version`),
    audited as done `by`. Raises QuestionnaireError as `store_version` does."""
    version = store_version(session, definition, publish=publish)
    record(
        session,
        "questionnaire.import",
        by=by,
        object_type="questionnaire_version",
        object_id=version.id,
        details={
            "code": version.questionnaire.code,
            "version": version.number,
            "file": file_name,
            "content_hash": version.content_hash,
        },
    )
    return version


def store_version(
    session: Session, definition: dict[str, Any], *, publish: bool = False
) -> QuestionnaireVersion:
    """Check `definition` and add it as the next version of its questionnaire (created
    when new). A questionnaire has at most one draft, its newest version: an import
    replaces that draft's content. Publishing content equal to the latest published
    version adds nothing and returns that version."""
    definition = check_definition(definition)
    questionnaire = session.scalar(
        select(Questionnaire).where(Questionnaire.code == definition["code"])
    )
    if questionnaire is None:
        questionnaire = Questionnaire(
            code=definition["code"],
            title_zh=definition["title"]["zh"],
            title_en=definition["title"].get("en", ""),
        )
        session.add(questionnaire)
        session.flush()
    else:
        latest = latest_version(session, questionnaire)
        if latest is not None and latest.status == "draft":
            # At most one draft, always the newest version: an import replaces it.
            save_draft(session, latest, definition)
            return publish_version(session, latest) if publish else latest
        if publish and latest is not None and latest.content_hash == content_hash(definition):
            return latest
    number = 1 + (
        session.scalar(
            select(func.max(QuestionnaireVersion.number)).where(
                QuestionnaireVersion.questionnaire_id == questionnaire.id
            )
        )
        or 0
    )
    version = QuestionnaireVersion(questionnaire=questionnaire, number=number)
    session.add(version)
    _fill(session, version, definition)
    session.flush()
    if publish:
        publish_version(session, version)
    return version


def save_draft(
    session: Session, version: QuestionnaireVersion, definition: dict[str, Any]
) -> QuestionnaireVersion:
    """Replace the content of a draft; VersionLocked for a published version."""
    if version.status != "draft":
        raise VersionLocked(
            f"version {version.number} of {version.questionnaire.code} is published"
        )
    definition = check_definition(definition)
    if definition["code"] != version.questionnaire.code:
        raise QuestionnaireError.single("code", N_("cannot change the code of a questionnaire"))
    _fill(session, version, definition)
    version.questionnaire.title_zh = version.title_zh
    version.questionnaire.title_en = version.title_en
    session.flush()
    return version


def publish_version(session: Session, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Freeze a draft and record the SHA-256 of its canonical JSON."""
    if version.status != "draft":
        raise VersionLocked(
            f"version {version.number} of {version.questionnaire.code} is published"
        )
    session.flush()
    session.refresh(version)
    version.content_hash = content_hash(definition_of(version))
    version.status = "published"
    version.published_at = utcnow()
    session.flush()
    return version


def new_draft(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The draft to edit: the existing one, or a copy of the latest version."""
    latest = latest_version(session, questionnaire)
    if latest is not None and latest.status == "draft":
        return latest
    if latest is None:
        raise ValueError(f"questionnaire {questionnaire.code} has no version to copy")
    content = definition_of(latest)
    version = QuestionnaireVersion(questionnaire=questionnaire, number=latest.number + 1)
    session.add(version)
    _fill(session, version, content)
    session.flush()
    return version


def delete_draft(session: Session, version: QuestionnaireVersion, user: User) -> bool:
    """Delete a draft version, audited; when it is the questionnaire's only version (so
    the questionnaire was never published: a published version is never deleted), the
    questionnaire goes with it. Returns whether it did."""
    if version.status != "draft":
        raise VersionLocked(
            f"version {version.number} of {version.questionnaire.code} is published"
        )
    questionnaire = version.questionnaire
    whole = len(questionnaire.versions) == 1
    session.delete(version)
    if whole:
        session.delete(questionnaire)
    record(
        session,
        "questionnaire.delete" if whole else "questionnaire.delete_draft",
        user=user,
        object_type="questionnaire",
        object_id=questionnaire.id,
        details={"code": questionnaire.code, "version": version.number},
    )
    session.flush()
    return whole
