"""The public submission path: recording a response.

A response and its answers are written in one transaction, or nothing is. The form a
resident submits carries a single-use nonce (stored with the response), so a double tap,
a resubmit or "back and submit again" finds the response already recorded and shows its
receipt again. An invitation code is spent in the same transaction that records its
response, with a conditional UPDATE, so two concurrent submits of one code record one.

What a link leads to is in `public_links`. Responses that look like ballot stuffing are
flagged, never rejected: see `flags.FlagRules`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms.field_types import Answer as FormAnswer

from ..db import begin_write
from ..models import Answer, Campaign, CampaignTarget, Kiosk, Link, Response
from .codes import new_receipt_code
from .flags import FlagRules, answers_fingerprint, flag_reasons
from .kiosks import still_trusted
from .public_links import LinkContext, LinkUnavailable, PublishedForm, Subject, answer_rows

_responses = Response.__table__.c

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
