"""Responses and their answers. A response is never deleted: it is counted, flagged
(left out of scoring until a reviewer decides) or excluded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .campaigns import CATEGORIES, Campaign, CampaignTarget, Link
from .org import Cadre
from .questionnaires import Option, Question, QuestionnaireVersion, _in

RESPONSE_STATUSES = ("counted", "flagged", "excluded")
CHANNELS = ("web", "kiosk", "invitation", "paper")


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(_in("status", RESPONSE_STATUSES), name="status"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint("duration_ms IS NULL OR duration_ms >= 0", name="duration"),
        Index("ix_responses_campaign_status", "campaign_id", "status"),
        Index("ix_responses_target_category", "campaign_target_id", "category"),
        Index("ix_responses_duplicate_hash", "duplicate_hash", "submitted_at"),
        Index("ix_responses_link_submitted", "link_id", "submitted_at"),
        Index("ix_responses_network_hash", "network_hash", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="RESTRICT"))
    campaign_target_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_targets.id", ondelete="RESTRICT")
    )
    category: Mapped[str] = mapped_column(String(32))
    #: The exact questionnaire version answered.
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT"), index=True
    )
    #: The link or invitation code used; NULL for paper ballots.
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="counted")
    #: Why a response was flagged (["duplicate_device", "burst", …]); empty when counted.
    flag_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Short code shown to the respondent, to look up what became of the response.
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: Single-use token of the form that was submitted: a resubmit finds this response.
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Salted SHA-256 of client address, user agent and device cookie; never the raw values.
    duplicate_hash: Mapped[str | None] = mapped_column(String(64))
    #: Salted SHA-256 of client address and user agent only: a device that drops cookies.
    network_hash: Mapped[str | None] = mapped_column(String(64))
    #: SHA-256 (hex, shortened) of the options chosen, to spot identical answers in a burst.
    answers_fingerprint: Mapped[str | None] = mapped_column(String(32))
    #: At a service point, the cadre the resident says served them.
    served_by_cadre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cadres.id", ondelete="RESTRICT"), index=True
    )
    #: The set-up kiosk (tablet at the window) the response came from, if any.
    kiosk_id: Mapped[int | None] = mapped_column(
        ForeignKey("kiosks.id", ondelete="RESTRICT"), index=True
    )
    language: Mapped[str] = mapped_column(String(8), default="zh")
    #: Time from opening the form to submitting it.
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    target: Mapped[CampaignTarget] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    link: Mapped[Link | None] = relationship()
    served_by: Mapped[Cadre | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    """One answer: a chosen option (a multiple choice gives one row per option), a number
    or a text; `points` is the option's points at the time, null where it does not count."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "option_id"),
        CheckConstraint("points IS NULL OR (points >= 0 AND points <= 100)", name="points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="RESTRICT"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="RESTRICT"), index=True
    )
    option_id: Mapped[int | None] = mapped_column(ForeignKey("options.id", ondelete="RESTRICT"))
    value_number: Mapped[float | None] = mapped_column(Double)
    value_text: Mapped[str | None] = mapped_column(Text)
    points: Mapped[float | None] = mapped_column(Double)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    option: Mapped[Option | None] = relationship()


class ResponseReview(Base):
    """A reviewer's decision on a flagged response (also in the audit log)."""

    __tablename__ = "response_reviews"
    __table_args__ = (CheckConstraint(_in("decision", ("counted", "excluded")), name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="RESTRICT"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
