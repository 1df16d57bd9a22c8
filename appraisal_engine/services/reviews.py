"""Reviewing flagged responses: a reviewer counts or excludes them, one decision per
response, each recorded as a ResponseReview and in the audit log. Nothing is deleted; a
decision can be revisited until the campaign is finalised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    Answer,
    Campaign,
    Option,
    Question,
    Response,
    ResponseReview,
    User,
)
from ..queries.campaigns import target_subjects
from .audit import record

DECISIONS = ("counted", "excluded")
#: What a review list shows: still flagged, excluded by a reviewer, or reinstated.
VIEWS = ("flagged", "excluded", "reinstated")
PAGE_SIZE = 100


class ReviewRefused(Exception):
    """The decision cannot be made (a finalised campaign, an unknown decision)."""


@dataclass
class ReviewRow:
    id: int
    receipt_code: str
    submitted_at: datetime
    target: str
    target_zh: str
    target_en: str
    category: str
    channel: str
    #: The kiosk (tablet at the window) it came from, if any.
    kiosk_id: int | None
    status: str
    reasons: list[str]
    duration_ms: int | None
    #: Responses of the campaign from the same device (this one included); 0: unknown.
    same_device: int
    choices: list[str] = field(default_factory=list)
    last_reason: str = ""


def _reviewed(response_id_column=Response.id):
    return exists().where(ResponseReview.response_id == response_id_column)


def _in_view(campaign_id: int, view: str) -> Select[tuple[Response]]:
    query = select(Response).where(Response.campaign_id == campaign_id)
    if view == "flagged":
        return query.where(Response.status == "flagged")
    if view == "excluded":
        return query.where(Response.status == "excluded")
    return query.where(Response.status == "counted", _reviewed())


def counts(session: Session, campaign_id: int) -> dict[str, int]:
    """How many responses each review list holds."""
    return {
        view: session.scalar(
            select(func.count()).select_from(_in_view(campaign_id, view).subquery())
        )
        or 0
        for view in VIEWS
    }


def review_rows(
    session: Session,
    campaign_id: int,
    view: str = "flagged",
    *,
    reason: str | None = None,
    page: int = 1,
) -> tuple[list[ReviewRow], int]:
    """One page of a review list, oldest first, and the number of matching responses."""
    listed = _in_view(campaign_id, view).subquery()
    matching = [
        response_id
        for response_id, reasons in session.execute(
            select(listed.c.id, listed.c.flag_reasons).order_by(listed.c.submitted_at, listed.c.id)
        )
        if not reason or reason in (reasons or [])
    ]
    page_ids = matching[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not page_ids:
        return [], len(matching)
    responses = session.scalars(
        select(Response)
        .where(Response.id.in_(page_ids))
        .order_by(Response.submitted_at, Response.id)
    ).all()
    subjects = {subject.target_id: subject for subject in target_subjects(session, campaign_id)}
    hashes = {r.duplicate_hash for r in responses if r.duplicate_hash}
    same_device = dict(
        session.execute(
            select(Response.duplicate_hash, func.count())
            .where(Response.campaign_id == campaign_id, Response.duplicate_hash.in_(hashes))
            .group_by(Response.duplicate_hash)
        ).all()
    )
    ids = [r.id for r in responses]
    choices: dict[int, list[str]] = {}
    for response_id, question_key, question_type, option_key, text in session.execute(
        select(Answer.response_id, Question.key, Question.type, Option.key, Answer.value_text)
        .join(Question, Answer.question_id == Question.id)
        .outerjoin(Option, Answer.option_id == Option.id)
        .where(Answer.response_id.in_(ids))
        .order_by(Answer.response_id, Question.position, Option.position)
    ):
        choices.setdefault(response_id, []).append(
            f"{question_key}={_shown(question_type, option_key, text)}"
        )
    last_reasons = dict(
        session.execute(
            select(ResponseReview.response_id, ResponseReview.reason)
            .where(ResponseReview.response_id.in_(ids))
            .order_by(ResponseReview.decided_at, ResponseReview.id)
        ).all()
    )
    rows = [
        ReviewRow(
            id=r.id,
            receipt_code=r.receipt_code,
            submitted_at=r.submitted_at,
            target=subjects[r.campaign_target_id].key,
            target_zh=subjects[r.campaign_target_id].name_zh,
            target_en=subjects[r.campaign_target_id].name_en,
            category=r.category,
            channel=r.channel,
            kiosk_id=r.kiosk_id,
            status=r.status,
            reasons=list(r.flag_reasons or []),
            duration_ms=r.duration_ms,
            same_device=same_device.get(r.duplicate_hash, 0) if r.duplicate_hash else 0,
            choices=choices.get(r.id, []),
            last_reason=last_reasons.get(r.id, ""),
        )
        for r in responses
    ]
    return rows, len(matching)


def _shown(question_type: str, option_key: str | None, text: str | None) -> str:
    """An answer as the review list shows it: options by id, texts shortened, a contact
    number masked (the reviewer judges the pattern, not the person)."""
    if option_key is not None:
        return option_key
    text = text or ""
    if question_type == "contact_phone":
        return f"{text[:3]}****{text[-4:]}" if len(text) >= 7 else "****"
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def decide(
    session: Session,
    campaign: Campaign,
    response_ids: Iterable[int],
    decision: str,
    reason: str,
    reviewer: User,
) -> int:
    """Count or exclude the given responses of `campaign` (only those flagged now or
    reviewed before); the caller began the write transaction and commits. Returns how
    many responses changed status."""
    if decision not in DECISIONS:
        raise ReviewRefused(f"unknown decision {decision!r}")
    if campaign.status == "finalised":
        raise ReviewRefused("the campaign is finalised: its results are frozen")
    ids = sorted(set(response_ids))
    if not ids:
        return 0
    responses = session.scalars(
        select(Response)
        .where(
            Response.campaign_id == campaign.id,
            Response.id.in_(ids),
            or_(Response.status.in_(("flagged", "excluded")), _reviewed()),
        )
        .order_by(Response.id)
        .with_for_update()
    ).all()
    changed = 0
    for response in responses:
        previous = response.status
        session.add(
            ResponseReview(
                response_id=response.id,
                decision=decision,
                reason=reason,
                reviewer_id=reviewer.id,
                details={"previous": previous, "flags": list(response.flag_reasons or [])},
            )
        )
        record(
            session,
            "review_response",
            user=reviewer,
            object_type="response",
            object_id=response.id,
            details={
                "campaign": campaign.code,
                "receipt": response.receipt_code,
                "decision": decision,
                "previous": previous,
                "reason": reason,
                "flags": list(response.flag_reasons or []),
            },
        )
        if previous != decision:
            response.status = decision
            changed += 1
    return changed
