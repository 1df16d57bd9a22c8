"""Stored scoring runs and rectification tasks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .campaigns import Campaign, CampaignTarget
from .org import Unit
from .questionnaires import _in
from .responses import Response
from .users import User

RECTIFICATION_STATUSES = ("open", "replied", "closed")


class ScoringRun(Base):
    """One run of the scoring: the exact input and result documents (SCORING.md §2, §4),
    byte for byte, so an auditor can download and recompute them. The input, hundreds of
    megabytes of JSON for a city, is stored gzip-compressed (a .json.gz file as it is)."""

    __tablename__ = "scoring_runs"
    __table_args__ = (Index("ix_scoring_runs_campaign_created", "campaign_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="RESTRICT"))
    #: The canonical input document, gzip-compressed.
    input_gzip: Mapped[bytes] = mapped_column(LargeBinary)
    result_json: Mapped[str] = mapped_column(Text)
    #: SHA-256 of the canonical input document.
    input_sha256: Mapped[str] = mapped_column(String(64), index=True)
    result_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The run a finalised campaign's results are frozen at.
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)

    campaign: Mapped[Campaign] = relationship()
    created_by: Mapped[User | None] = relationship()


class Rectification(Base):
    """A task raised from a bad review: the unit must reply by the deadline."""

    __tablename__ = "rectifications"
    __table_args__ = (CheckConstraint(_in("status", RECTIFICATION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    campaign_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_targets.id", ondelete="RESTRICT")
    )
    #: The review that gave rise to the task, when there is one.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="RESTRICT"), index=True
    )
    #: The unit responsible for the reply.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date] = mapped_column(Date)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    target: Mapped[CampaignTarget | None] = relationship()
    response: Mapped[Response | None] = relationship()
    unit: Mapped[Unit] = relationship()
