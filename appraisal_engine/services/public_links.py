"""What a public link leads to: the link, its campaign and subject, read in one query;
the cadres a service point offers; and the published questionnaire the form is built from,
kept per process.

The recording of a response is in `submissions`, the flags it may earn in `flags`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from forms.builder import build_form_class, condition_text
from forms.field_types import Answer as FormAnswer
from forms.schema import load
from forms.specs import Questionnaire

from ..db import Database
from ..models import (
    Cadre,
    Campaign,
    CampaignCategory,
    CampaignTarget,
    Link,
    Option,
    Question,
    QuestionnaireVersion,
    ServicePoint,
    Unit,
)
from ..models.org import cadre_service_points
from .questionnaires import definition_of

# --- What a link leads to -----------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What is appraised, named for the form: a unit, service point or cadre, and the
    unit it belongs to (None for a unit)."""

    kind: str
    code: str
    name_zh: str
    name_en: str
    unit_zh: str | None = None
    unit_en: str | None = None
    position_zh: str = ""
    position_en: str = ""
    #: A service window's whereabouts ("一楼大厅 1号窗口"), so residents know it is theirs.
    location_zh: str = ""
    location_en: str = ""


@dataclass(frozen=True)
class LinkContext:
    link_id: int
    token: str
    kind: str
    category: str
    used: bool
    revoked: bool
    campaign_id: int
    campaign_code: str
    campaign_name_zh: str
    campaign_name_en: str
    campaign_status: str
    target_id: int
    service_point_id: int | None
    subject: Subject
    #: The questionnaire version the link's category answers; None: category not used.
    version_id: int | None


class LinkUnavailable(Exception):
    """The link cannot take a response now; `status` is 404 or 410, `reason` a key."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _link_context_query() -> Any:
    """Core tables, not ORM entities: the statement skips the ORM's per-execution work."""
    link, target, campaign = Link.__table__, CampaignTarget.__table__, Campaign.__table__
    unit, point, cadre = Unit.__table__, ServicePoint.__table__, Cadre.__table__
    owner, category = Unit.__table__.alias("owner"), CampaignCategory.__table__
    return (
        select(
            link.c.id,
            link.c.kind,
            link.c.category,
            link.c.used_at,
            link.c.revoked,
            campaign.c.id,
            campaign.c.code,
            campaign.c.name_zh,
            campaign.c.name_en,
            campaign.c.status,
            target.c.id,
            target.c.kind,
            target.c.service_point_id,
            func.coalesce(unit.c.code, point.c.code, cadre.c.code),
            func.coalesce(unit.c.name_zh, point.c.name_zh, cadre.c.name_zh),
            func.coalesce(unit.c.name_en, point.c.name_en, cadre.c.name_en),
            owner.c.name_zh,
            owner.c.name_en,
            cadre.c.position_zh,
            cadre.c.position_en,
            point.c.location_zh,
            point.c.location_en,
            category.c.questionnaire_version_id,
        )
        .select_from(link)
        .join(target, link.c.campaign_target_id == target.c.id)
        .join(campaign, target.c.campaign_id == campaign.c.id)
        .outerjoin(unit, target.c.unit_id == unit.c.id)
        .outerjoin(point, target.c.service_point_id == point.c.id)
        .outerjoin(cadre, target.c.cadre_id == cadre.c.id)
        .outerjoin(owner, owner.c.id == func.coalesce(point.c.unit_id, cadre.c.unit_id))
        .outerjoin(
            category,
            and_(
                category.c.campaign_id == campaign.c.id,
                category.c.category == link.c.category,
            ),
        )
        .where(link.c.token == bindparam("token"))
    )


#: Built once: the public path runs it on every request.
LINK_CONTEXT = _link_context_query()


def link_context(session: Session, token: str) -> LinkContext | None:
    """Everything the form needs about a link, in one query; None for an unknown token."""
    if not token.isascii() or not token.isprintable():
        return None
    row = session.connection().execute(LINK_CONTEXT, {"token": token}).one_or_none()
    if row is None:
        return None
    (
        link_id, kind, category, used_at, revoked,
        campaign_id, campaign_code, campaign_zh, campaign_en, campaign_status,
        target_id, target_kind, service_point_id,
        code, name_zh, name_en, unit_zh, unit_en, position_zh, position_en,
        location_zh, location_en, version_id,
    ) = row  # fmt: skip
    return LinkContext(
        link_id=link_id,
        token=token,
        kind=kind,
        category=category,
        used=used_at is not None,
        revoked=revoked,
        campaign_id=campaign_id,
        campaign_code=campaign_code,
        campaign_name_zh=campaign_zh,
        campaign_name_en=campaign_en,
        campaign_status=campaign_status,
        target_id=target_id,
        service_point_id=service_point_id,
        subject=Subject(
            kind=target_kind,
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            unit_zh=unit_zh,
            unit_en=unit_en,
            position_zh=(position_zh or "") if target_kind == "cadre" else "",
            position_en=(position_en or "") if target_kind == "cadre" else "",
            location_zh=location_zh or "",
            location_en=location_en or "",
        ),
        version_id=version_id,
    )


def check_available(context: LinkContext | None) -> LinkContext:
    """The context of a link that takes responses now, or LinkUnavailable saying why."""
    if context is None or context.revoked:
        raise LinkUnavailable(404, "unknown")
    if context.version_id is None:
        raise LinkUnavailable(404, "unknown")
    if context.campaign_status == "draft":
        raise LinkUnavailable(404, "not_started")
    if context.campaign_status != "open":
        raise LinkUnavailable(410, "ended")
    if context.kind == "invitation" and context.used:
        raise LinkUnavailable(410, "used")
    return context


@dataclass(frozen=True)
class Choice:
    value: str
    label_zh: str
    label_en: str


def cadres_at(session: Session, service_point_id: int) -> list[Choice]:
    """The active cadres who serve at a service point, for "who served you?"."""
    rows = session.execute(
        select(Cadre.id, Cadre.name_zh, Cadre.name_en)
        .join(cadre_service_points, cadre_service_points.c.cadre_id == Cadre.id)
        .where(cadre_service_points.c.service_point_id == service_point_id, Cadre.active)
        .order_by(Cadre.sort_order, Cadre.code)
    )
    return [Choice(str(cadre_id), zh, en) for cadre_id, zh, en in rows]


# --- Published questionnaires, cached -----------------------------------------------------


@dataclass
class PublishedForm:
    """A published version as the public path uses it. Published versions never change
    (the database refuses), so this is kept per process once built."""

    version_id: int
    questionnaire: Questionnaire
    question_ids: dict[str, int]
    option_ids: dict[tuple[str, str], int]
    form_classes: dict[str, type] = field(default_factory=dict)
    conditions: dict[str, dict[str, str]] = field(default_factory=dict)

    def form_class(self, language: str) -> type:
        if language not in self.form_classes:
            self.form_classes[language] = build_form_class(self.questionnaire, language)
        return self.form_classes[language]

    def condition_texts(self, language: str) -> dict[str, str]:
        if language not in self.conditions:
            self.conditions[language] = {
                question.id: condition_text(question, self.questionnaire, language)
                for question in self.questionnaire.questions
                if question.condition is not None
            }
        return self.conditions[language]


_FORMS_KEY = "published_forms"


def published_form(database: Database, session: Session, version_id: int) -> PublishedForm:
    cache: dict[int, PublishedForm] = database.cache.setdefault(_FORMS_KEY, {})
    cached = cache.get(version_id)
    if cached is not None:
        return cached
    version = session.get(QuestionnaireVersion, version_id)
    if version is None or version.status != "published":
        raise LinkUnavailable(404, "unknown")
    question_ids = dict(
        session.execute(
            select(Question.key, Question.id).where(Question.version_id == version_id)
        ).all()
    )
    option_ids = {
        (question_key, option_key): option_id
        for question_key, option_key, option_id in session.execute(
            select(Question.key, Option.key, Option.id)
            .join(Option, Option.question_id == Question.id)
            .where(Question.version_id == version_id)
        )
    }
    built = PublishedForm(version_id, load(definition_of(version)), question_ids, option_ids)
    cache[version_id] = built
    return built


def answer_rows(form: PublishedForm, answers: Mapping[str, Sequence[FormAnswer]]) -> list[dict]:
    """Answer rows (without response_id) for the stored questions and options."""
    rows = []
    for question_key, given in answers.items():
        question_id = form.question_ids[question_key]
        for answer in given:
            option = answer.get("option")
            rows.append(
                {
                    "question_id": question_id,
                    "option_id": form.option_ids[(question_key, option)] if option else None,
                    "value_number": None,
                    "value_text": answer.get("text"),
                    "points": answer.get("points"),
                }
            )
    return rows
