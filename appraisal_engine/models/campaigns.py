"""Campaigns (appraisal periods), their respondent categories, targets and public links.

The scoring parameters of a campaign are those of SCORING.md §2, with its defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from scoring import parameters, registry

from .base import Base, UTCDateTime, utcnow
from .org import CODE_LENGTH, NAME_LENGTH, Cadre, ServicePoint, Unit
from .questionnaires import Indicator, QuestionnaireVersion, _in

CAMPAIGN_STATUSES = ("draft", "open", "closed", "finalised")
#: The respondent categories and target kinds of `scoring.registry`, in its order.
CATEGORIES = registry.category_keys()
AGGREGATES = ("mean", "trimmed_mean", "shrunk_mean")
#: SCORING.md's `params.revision`: 1 for campaigns made before revision 2 existed.
SCORING_REVISIONS = (1, 2)
#: SCORING.md's `grades.quota_rounding` (revision 2).
QUOTA_ROUNDINGS = ("floor", "half_up", "ceil")
TARGET_KINDS = registry.target_kind_keys()
LINK_KINDS = ("open", "invitation")
#: SCORING.md's default weight and minimum number of responses per category.
DEFAULT_CATEGORY_PARAMS = {c.key: (c.weight, c.min_responses) for c in registry.CATEGORIES}


def exactly_one_target(kinds: tuple[str, ...]) -> str:
    """The CHECK that a target of each kind names a subject of that kind and no other."""
    return " OR ".join(
        f"(kind = '{kind}' AND {kind}_id IS NOT NULL"
        + "".join(f" AND {other}_id IS NULL" for other in kinds if other != kind)
        + ")"
        for kind in kinds
    )


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="status"),
        CheckConstraint("ends_on >= starts_on", name="period"),
        # The scoring parameters' bounds and choices, and the rules between them.
        *(
            CheckConstraint(condition, name=name)
            for name, condition in parameters.check_constraints(CATEGORIES)
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable code used in URLs and on the command line ("2026-annual").
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: draft → open → closed → finalised; only an open campaign accepts responses.
    status: Mapped[str] = mapped_column(String(16), default="draft")

    # The scoring parameters (SCORING.md §2) are columns too, one per entry of
    # scoring.parameters.PARAMETERS with its default and CHECK: see `_parameter_columns`.

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When leadership published the units' league table at /public/<code>; NULL: not public.
    league_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    categories: Mapped[list[CampaignCategory]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )
    indicator_weights: Mapped[list[CampaignIndicator]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )
    targets: Mapped[list[CampaignTarget]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )


#: The column type of each kind of scoring parameter.
PARAMETER_TYPES: dict[str, Callable[[], TypeEngine[Any]]] = {
    parameters.NUMBER: Double,
    parameters.WHOLE: Integer,
    parameters.CHOICE: lambda: String(16),
    parameters.CATEGORY: lambda: String(32),
}


def _parameter_columns() -> None:
    """A column of campaigns per scoring parameter (`Parameter.name`: "trim_fraction"),
    NOT NULL unless optional (bonus_pool: NULL for coefficients only), with a new
    campaign's value as its default. Declarative maps a column set on the class."""
    for parameter in parameters.PARAMETERS:
        column = mapped_column(
            PARAMETER_TYPES[parameter.kind](),
            nullable=parameter.optional,
            default=parameter.column_default,
        )
        setattr(Campaign, parameter.name, column)


_parameter_columns()


class CampaignCategory(Base):
    """A respondent category of a campaign: its questionnaire, weight and minimum n."""

    __tablename__ = "campaign_categories"
    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        CheckConstraint("min_responses >= 0", name="min_responses"),
    )

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT"), index=True
    )
    weight: Mapped[float] = mapped_column(Double)
    min_responses: Mapped[int] = mapped_column(Integer)

    campaign: Mapped[Campaign] = relationship(back_populates="categories")
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()


class CampaignIndicator(Base):
    """The weight of an indicator in a campaign's response score (SCORING.md §3, v_i)."""

    __tablename__ = "campaign_indicators"
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="RESTRICT"), primary_key=True
    )
    weight: Mapped[float] = mapped_column(Double)

    campaign: Mapped[Campaign] = relationship(back_populates="indicator_weights")
    indicator: Mapped[Indicator] = relationship()


class CampaignTarget(Base):
    """What a campaign appraises: exactly one unit, service point or cadre."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        CheckConstraint(_in("kind", TARGET_KINDS), name="kind"),
        CheckConstraint(
            exactly_one_target(TARGET_KINDS),
            name="exactly_one_target",
        ),
        CheckConstraint("NOT veto OR veto_reason IS NOT NULL", name="veto_has_reason"),
        UniqueConstraint("campaign_id", "unit_id"),
        UniqueConstraint("campaign_id", "service_point_id"),
        UniqueConstraint("campaign_id", "cadre_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT")
    )
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id", ondelete="RESTRICT"))
    #: A veto (e.g. a disciplinary finding) makes the grade "incompetent" whatever the score.
    veto: Mapped[bool] = mapped_column(Boolean, default=False)
    veto_reason: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
    unit: Mapped[Unit | None] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()

    @property
    def subject(self) -> Unit | ServicePoint | Cadre:
        subject = self.unit or self.service_point or self.cadre
        assert subject is not None
        return subject


class Link(Base):
    """A public token for (target, category): an open link for residents, or a one-time
    invitation code for a grassroots unit or service target."""

    __tablename__ = "links"
    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("kind", LINK_KINDS), name="kind"),
        CheckConstraint("kind = 'invitation' OR used_at IS NULL", name="only_invitations_used"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL-safe random token (at least 64 bits), the path of the printed QR code.
    token: Mapped[str] = mapped_column(String(40), unique=True)
    campaign_target_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_targets.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    #: When a one-time invitation code was used; NULL while it is still valid.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    target: Mapped[CampaignTarget] = relationship()
