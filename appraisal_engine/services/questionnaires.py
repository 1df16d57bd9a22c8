"""Storing questionnaire definitions (forms/standard.py's format) as versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.canonical import content_hash

from ..models import (
    Indicator,
    Option,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    VersionIndicator,
    utcnow,
)


def _indicator(session: Session, spec: dict[str, Any]) -> Indicator:
    indicator = session.scalar(select(Indicator).where(Indicator.code == spec["id"]))
    if indicator is None:
        indicator = Indicator(
            code=spec["id"], name_zh=spec["name"]["zh"], name_en=spec["name"].get("en", "")
        )
        session.add(indicator)
    return indicator


def store_version(
    session: Session, definition: dict[str, Any], *, publish: bool = False
) -> QuestionnaireVersion:
    """Add a new version of the questionnaire `definition["code"]` (created if new)."""
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
    number = 1 + (
        session.scalar(
            select(func.max(QuestionnaireVersion.number)).where(
                QuestionnaireVersion.questionnaire_id == questionnaire.id
            )
        )
        or 0
    )
    indicators = {spec["id"]: _indicator(session, spec) for spec in definition["indicators"]}
    intro = definition.get("intro", {})
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=number,
        title_zh=definition["title"]["zh"],
        title_en=definition["title"].get("en", ""),
        intro_zh=intro.get("zh", ""),
        intro_en=intro.get("en", ""),
    )
    version.indicator_weights = [
        VersionIndicator(indicator=indicators[spec["id"]], weight=spec["weight"])
        for spec in definition["indicators"]
    ]
    for position, spec in enumerate(definition["questions"]):
        text = spec["text"]
        help_text = spec.get("help", {})
        question = Question(
            key=spec["id"],
            position=position,
            type=spec["type"],
            text_zh=text["zh"],
            text_en=text.get("en", ""),
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
            for index, option in enumerate(spec.get("options", []))
        ]
        version.questions.append(question)
    session.add(version)
    if publish:
        version.status = "published"
        version.content_hash = content_hash(definition)
        version.published_at = utcnow()
    session.flush()
    return version
