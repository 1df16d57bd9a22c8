"""Indicators, questionnaires and their versions, questions and options.

A version is a draft until published; publishing freezes it and records the SHA-256 of its
canonical JSON. Answers point at questions and options of the version they answered, so an
edit (which makes a new version) can never change what an old answer meant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .org import CODE_LENGTH, NAME_LENGTH

VERSION_STATUSES = ("draft", "published")
QUESTION_TYPES = (
    "satisfaction5",
    "rating",
    "scale_0_10",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "short_text",
    "comment",
    "contact_phone",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Indicator(Base):
    """A named criterion such as attitude, efficiency, integrity, work style."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")


class Questionnaire(Base):
    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    title_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    title_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(Base):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        CheckConstraint(_in("status", VERSION_STATUSES), name="status"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "status <> 'published' OR (content_hash IS NOT NULL AND published_at IS NOT NULL)",
            name="published_has_hash",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT"), index=True
    )
    #: 1, 2, 3 … within the questionnaire.
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    title_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    title_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    intro_zh: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 (hex) of the version's canonical JSON, set when it is published.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    indicator_weights: Mapped[list[VersionIndicator]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="VersionIndicator.position"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )


class VersionIndicator(Base):
    """The weight an indicator has in one questionnaire version."""

    __tablename__ = "version_indicators"
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="RESTRICT"), primary_key=True
    )
    weight: Mapped[float] = mapped_column(Double)
    #: The indicator's name as this version shows it.
    name_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    #: Order in which the version lists its indicators.
    position: Mapped[int] = mapped_column(Integer, default=0)

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="indicator_weights")
    indicator: Mapped[Indicator] = relationship()


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        CheckConstraint(_in("type", QUESTION_TYPES), name="type"),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        CheckConstraint(
            "scale_size IS NULL OR (scale_size >= 2 AND scale_size <= 10)", name="scale_size"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE"), index=True
    )
    #: Stable identifier within the version ("overall", "q3"); names the form field.
    key: Mapped[str] = mapped_column(String(CODE_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    help_zh: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The indicator this question scores; NULL for unscored questions (text, contact).
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="RESTRICT")
    )
    weight: Mapped[float] = mapped_column(Double, default=1.0)
    #: k of a rating 1..k.
    scale_size: Mapped[int | None] = mapped_column(Integer)
    #: Display condition, {"question": key, "one_of": [option keys]}; NULL: always shown.
    condition: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")
    indicator: Mapped[Indicator | None] = relationship()
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )


class Option(Base):
    __tablename__ = "options"
    __table_args__ = (
        UniqueConstraint("question_id", "key"),
        CheckConstraint("points IS NULL OR (points >= 0 AND points <= 100)", name="points_range"),
        CheckConstraint("NOT not_applicable OR points IS NULL", name="not_applicable_unscored"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(CODE_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    label_zh: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text, default="")
    #: Points in [0, 100] (SCORING.md §1); NULL: the option does not count.
    points: Mapped[float | None] = mapped_column(Double)
    #: "Not applicable" / "don't know": shown, recorded, never scored.
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="options")
