"""The public submission path: what a link leads to, and recording a response.

A response and its answers are written in one transaction, or nothing is. The form a
resident submits carries a single-use nonce (stored with the response), so a double tap,
a resubmit or "back and submit again" finds the response already recorded and shows its
receipt again. An invitation code is spent in the same transaction that records its
response, with a conditional UPDATE, so two concurrent submits of one code record one.

Responses that look like ballot stuffing are flagged, never rejected: see `FlagRules`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms.builder import build_form_class, condition_text
from forms.field_types import Answer as FormAnswer
from forms.schema import load
from forms.specs import Questionnaire

from ..db import Database, begin_write
from ..models import (
    Answer,
    Cadre,
    Campaign,
    CampaignCategory,
    CampaignTarget,
    Kiosk,
    Link,
    Option,
    Question,
    QuestionnaireVersion,
    Response,
    ServicePoint,
    Unit,
)
from ..models.org import cadre_service_points
from .codes import new_receipt_code
from .kiosks import still_trusted
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


# --- Flags --------------------------------------------------------------------------------

FLAG_REASONS = ("duplicate_device", "same_network", "burst", "too_fast", "identical_answers")


@dataclass(frozen=True)
class FlagRules:
    """When a response is flagged as possible ballot stuffing (never rejected).

    - duplicate_device: the same device (salted hash of address, user agent and device
      cookie) answered the same target in the same category within `duplicate_hours`.
      Responses from a trusted kiosk are not compared with each other.
    - same_network: at least `network_min` responses to the same target and category
      within `duplicate_hours`, this one included, came from the same address and user
      agent (salted hash, no cookie): a device that clears its cookies between answers.
      The threshold leaves room for residents who share an address behind a carrier's
      NAT and happen to use the same phone and browser.
    - burst: the link received more than max(`burst_min`, `burst_factor` × its usual
      rate) responses in the last `burst_minutes`; its usual rate is its responses in the
      7 days before, spread over 8 opening hours a day.
    - too_fast: the form was submitted less than `seconds_per_answer` seconds per
      question answered after it was first opened.
    - identical_answers: at least max(`identical_min`, `burst_factor` × the usual rate)
      responses to the link in the last `burst_minutes`, this one included, chose exactly
      the same options: far more identical answers than the link usually receives in all.
    """

    duplicate_hours: float = 24.0
    network_min: int = 5
    burst_minutes: float = 10.0
    burst_min: int = 20
    burst_factor: float = 5.0
    seconds_per_answer: float = 1.0
    identical_min: int = 6

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FlagRules:
        return cls(
            duplicate_hours=config["FLAG_DUPLICATE_HOURS"],
            network_min=config["FLAG_NETWORK_MIN"],
            burst_minutes=config["FLAG_BURST_MINUTES"],
            burst_min=config["FLAG_BURST_MIN"],
            burst_factor=config["FLAG_BURST_FACTOR"],
            seconds_per_answer=config["FLAG_SECONDS_PER_ANSWER"],
            identical_min=config["FLAG_IDENTICAL_MIN"],
        )


#: 7 days of 8 opening hours, in minutes: the span the usual rate is spread over.
BASELINE_DAYS = 7
BASELINE_OPEN_MINUTES = BASELINE_DAYS * 8 * 60


_responses = Response.__table__.c


def _count(*conditions: Any) -> Any:
    return select(func.count()).select_from(Response.__table__).where(*conditions).scalar_subquery()


def _same_source(column: Any, parameter: str, kiosk: bool) -> Any:
    conditions = [
        column == bindparam(parameter),
        _responses.submitted_at >= bindparam("duplicate_since", type_=_responses.submitted_at.type),
        _responses.campaign_target_id == bindparam("target_id"),
        _responses.category == bindparam("category"),
    ]
    if kiosk:
        conditions.append(_responses.channel != "kiosk")
    return _count(*conditions)


@functools.cache
def _flag_query(device: bool, network: bool, kiosk: bool, fingerprint: bool) -> Any:
    """The counts the flags need, in one statement (one per shape, built once)."""
    link = _responses.link_id == bindparam("link_id")
    burst_since = bindparam("burst_since", type_=_responses.submitted_at.type)
    identical: Any = literal(0)
    if fingerprint:
        identical = _count(
            link,
            _responses.submitted_at >= burst_since,
            _responses.answers_fingerprint == bindparam("fingerprint"),
        )
    return select(
        _same_source(_responses.duplicate_hash, "device_hash", kiosk) if device else literal(0),
        _same_source(_responses.network_hash, "network_hash", kiosk) if network else literal(0),
        _count(link, _responses.submitted_at >= burst_since),
        _count(
            link,
            _responses.submitted_at
            >= bindparam("baseline_since", type_=_responses.submitted_at.type),
            _responses.submitted_at < burst_since,
        ),
        identical,
    )


def flag_reasons(
    session: Session,
    rules: FlagRules,
    *,
    link_id: int,
    target_id: int,
    category: str,
    device_hash: str | None,
    kiosk: bool,
    fingerprint: str | None,
    duration_ms: int | None,
    answered: int,
    now: datetime,
    network_hash: str | None = None,
) -> list[str]:
    """The flags a new response earns, from what is already stored (one query)."""
    burst_since = now - timedelta(minutes=rules.burst_minutes)
    query = _flag_query(
        device_hash is not None, network_hash is not None, kiosk, fingerprint is not None
    )
    parameters = {
        "link_id": link_id,
        "burst_since": burst_since,
        "baseline_since": burst_since - timedelta(days=BASELINE_DAYS),
        "duplicate_since": now - timedelta(hours=rules.duplicate_hours),
        "device_hash": device_hash,
        "network_hash": network_hash,
        "target_id": target_id,
        "category": category,
        "fingerprint": fingerprint,
    }
    same_device, same_network, recent, baseline, identical = (
        session.connection().execute(query, parameters).one()
    )
    reasons = []
    if same_device:
        reasons.append("duplicate_device")
    if network_hash is not None and same_network + 1 >= rules.network_min:
        reasons.append("same_network")
    usual = baseline * rules.burst_minutes / BASELINE_OPEN_MINUTES
    if recent + 1 > max(rules.burst_min, rules.burst_factor * usual):
        reasons.append("burst")
    if duration_ms is not None and duration_ms < rules.seconds_per_answer * answered * 1000:
        reasons.append("too_fast")
    if fingerprint is not None and identical + 1 >= max(
        rules.identical_min, rules.burst_factor * usual
    ):
        reasons.append("identical_answers")
    return reasons


def answers_fingerprint(answers: Mapping[str, Sequence[FormAnswer]]) -> str | None:
    """A short hash of the options chosen (texts left out); None when nothing was chosen."""
    chosen = sorted(
        (question, answer["option"])
        for question, given in answers.items()
        for answer in given
        if answer.get("option") is not None
    )
    if not chosen:
        return None
    return hashlib.sha256(json.dumps(chosen).encode()).hexdigest()[:32]


def device_hash(secret: str, address: str, user_agent: str, device_cookie: str) -> str:
    """Salted (keyed) SHA-256 of the client's address, user agent and device cookie."""
    return keyed_hash(secret, "duplicate-hash", address, user_agent, device_cookie)


def network_hash(secret: str, address: str, user_agent: str) -> str:
    """Salted (keyed) SHA-256 of the client's address and user agent, without the cookie."""
    return keyed_hash(secret, "network-hash", address, user_agent)


def keyed_hash(secret: str, purpose: str, *parts: str) -> str:
    """HMAC-SHA-256 of `parts` under a key derived from the instance's secret and
    `purpose`: not reversible, and not comparable across instances or purposes."""
    key = hashlib.sha256(purpose.encode() + b"\x1f" + secret.encode()).digest()
    return hmac.new(key, "\x1f".join(parts).encode(), "sha256").hexdigest()


# --- Recording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A validated submission, ready to record."""

    answers: Mapping[str, Sequence[FormAnswer]]
    nonce: str
    channel: str
    language: str = "zh"
    device_hash: str | None = None
    network_hash: str | None = None
    #: The kiosk the administration set up, still trusted, that the response came from:
    #: its responses are not duplicates of each other.
    kiosk_id: int | None = None
    served_by_cadre_id: int | None = None
    duration_ms: int | None = None


@dataclass(frozen=True)
class Receipt:
    code: str
    status: str
    #: False when the nonce had been used: the response was already recorded.
    created: bool


RECEIPT_FOR_NONCE = select(_responses.receipt_code, _responses.status).where(
    _responses.nonce == bindparam("nonce")
)


def receipt_for_nonce(session: Session, nonce: str) -> Receipt | None:
    row = session.connection().execute(RECEIPT_FOR_NONCE, {"nonce": nonce}).one_or_none()
    return Receipt(row[0], row[1], created=False) if row else None


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


def record_response(
    session: Session,
    context: LinkContext,
    form: PublishedForm,
    submission: Submission,
    rules: FlagRules,
    *,
    now: datetime | None = None,
) -> Receipt:
    """Record `submission` through the link of `context` and commit; or, when its nonce
    was used already, return that response's receipt. Raises LinkUnavailable when,
    inside the write transaction, the campaign is no longer open, the link was revoked or
    the invitation code was spent. The nonce's UNIQUE constraint, not a look-up first,
    stops a second recording."""
    now = now or datetime.now(UTC)
    for _attempt in range(3):
        try:
            return _record_once(session, context, form, submission, rules, now)
        except IntegrityError:
            session.rollback()
            existing = receipt_for_nonce(session, submission.nonce)
            session.rollback()
            if existing is not None:
                return existing
            # Otherwise a receipt code collided (50 random bits): draw another.
    raise RuntimeError("could not record the response")


INSERT_RESPONSE = insert(Response.__table__).returning(_responses.id)
INSERT_ANSWERS = insert(Answer.__table__)


def _begin_writing(session: Session) -> None:
    """On SQLite, take the write lock first (begin_write). Elsewhere the transaction that
    looked the link up carries on: under READ COMMITTED each statement sees the latest
    commits, the writes are guarded by constraints and a conditional UPDATE, and keeping
    the connection saves a round of pool check-in and check-out per submission."""
    if session.in_transaction() and session.get_bind().dialect.name != "sqlite":
        return
    begin_write(session)


_link_table, _campaign_table = Link.__table__, Campaign.__table__
_target_table = CampaignTarget.__table__
#: The link's campaign status and revocation, read again inside the write transaction.
#: On PostgreSQL under FOR SHARE: closing a campaign (FOR UPDATE of its row) or revoking
#: the link waits for submissions in flight, and a submission waits for them, so none is
#: recorded after either. On SQLite the write lock already orders them.
RECHECK = (
    select(_campaign_table.c.status, _link_table.c.revoked)
    .select_from(_link_table)
    .join(_target_table, _link_table.c.campaign_target_id == _target_table.c.id)
    .join(_campaign_table, _target_table.c.campaign_id == _campaign_table.c.id)
    .where(_link_table.c.id == bindparam("link_id"))
)
#: An open link's row is share-locked too; an invitation's is not, because the
#: conditional UPDATE that spends it follows (two share locks upgrading would deadlock)
#: and itself refuses a revoked or spent code.
RECHECK_OPEN_LINK = RECHECK.with_for_update(read=True, of=[_campaign_table, _link_table])
RECHECK_INVITATION = RECHECK.with_for_update(read=True, of=[_campaign_table])


def _recheck_available(session: Session, context: LinkContext) -> None:
    connection = session.connection()
    statement = RECHECK
    if connection.dialect.name == "postgresql":
        invitation = context.kind == "invitation"
        statement = RECHECK_INVITATION if invitation else RECHECK_OPEN_LINK
    row = connection.execute(statement, {"link_id": context.link_id}).one_or_none()
    if row is None or row.revoked:
        session.rollback()
        raise LinkUnavailable(404, "unknown")
    if row.status != "open":
        session.rollback()
        raise LinkUnavailable(404 if row.status == "draft" else 410, "ended")


def _kiosk_still_trusted(session: Session, submission: Submission, now: datetime) -> bool:
    """Read inside the write transaction, so a revocation committed before it counts (on
    PostgreSQL the row is share-locked until the response is written)."""
    query = select(Kiosk.id).where(Kiosk.id == submission.kiosk_id, still_trusted(now))
    if session.connection().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    return session.scalar(query) is not None


def _serialise_device(session: Session, device: str, target_id: int) -> None:
    """On PostgreSQL, make concurrent submissions of one device to one target take turns
    (a transaction-scoped advisory lock), so the second sees the first and is flagged as
    a duplicate, as on SQLite, where the write lock orders everything."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    key = (int(device[:15], 16) ^ target_id) & 0x7FFF_FFFF_FFFF_FFFF
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _record_once(
    session: Session,
    context: LinkContext,
    form: PublishedForm,
    submission: Submission,
    rules: FlagRules,
    now: datetime,
) -> Receipt:
    _begin_writing(session)
    _recheck_available(session, context)
    if submission.kiosk_id is not None and not _kiosk_still_trusted(session, submission, now):
        # Revoked (or expired) since the request began: an ordinary device from now on.
        submission = replace(submission, kiosk_id=None, channel="web")
    if submission.device_hash is not None:
        _serialise_device(session, submission.device_hash, context.target_id)
    if context.kind == "invitation":
        spent = session.execute(
            update(Link)
            .where(Link.id == context.link_id, Link.used_at.is_(None), Link.revoked.is_(False))
            .values(used_at=now)
        )
        if spent.rowcount != 1:
            session.rollback()
            raise LinkUnavailable(410, "used")
    fingerprint = answers_fingerprint(submission.answers)
    reasons = flag_reasons(
        session,
        rules,
        link_id=context.link_id,
        target_id=context.target_id,
        category=context.category,
        device_hash=submission.device_hash,
        kiosk=submission.kiosk_id is not None,
        fingerprint=fingerprint,
        duration_ms=submission.duration_ms,
        answered=len(submission.answers),
        now=now,
        network_hash=submission.network_hash,
    )
    code = new_receipt_code()
    status = "flagged" if reasons else "counted"
    connection = session.connection()
    response_id = connection.execute(
        INSERT_RESPONSE,
        {
            "campaign_id": context.campaign_id,
            "campaign_target_id": context.target_id,
            "category": context.category,
            "questionnaire_version_id": form.version_id,
            "link_id": context.link_id,
            "channel": submission.channel,
            "status": status,
            "flag_reasons": reasons,
            "receipt_code": code,
            "nonce": submission.nonce,
            "duplicate_hash": submission.device_hash,
            "network_hash": submission.network_hash,
            "answers_fingerprint": fingerprint,
            "served_by_cadre_id": submission.served_by_cadre_id,
            "kiosk_id": submission.kiosk_id,
            "language": submission.language,
            "duration_ms": submission.duration_ms,
            "submitted_at": now,
        },
    ).scalar_one()
    rows = answer_rows(form, submission.answers)
    if rows:
        connection.execute(INSERT_ANSWERS, [{"response_id": response_id, **row} for row in rows])
    session.commit()
    return Receipt(code, status, created=True)


# --- Receipts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptView:
    code: str
    status: str
    submitted_at: datetime
    campaign_name_zh: str
    campaign_name_en: str
    subject: Subject


def receipt_view(session: Session, code: str) -> ReceiptView | None:
    """What a receipt code tells its holder: what was appraised, the day, the status."""
    response = session.scalar(select(Response).where(Response.receipt_code == code))
    if response is None:
        return None
    target = response.target
    subject = target.subject
    owner = getattr(subject, "unit", None) if target.kind != "unit" else None
    return ReceiptView(
        code=response.receipt_code,
        status=response.status,
        submitted_at=response.submitted_at,
        campaign_name_zh=response.campaign.name_zh,
        campaign_name_en=response.campaign.name_en,
        subject=Subject(
            kind=target.kind,
            code=subject.code,
            name_zh=subject.name_zh,
            name_en=subject.name_en,
            unit_zh=owner.name_zh if owner else None,
            unit_en=owner.name_en if owner else None,
        ),
    )
