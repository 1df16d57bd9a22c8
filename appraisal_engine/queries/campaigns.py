"""Queries about campaigns and their responses."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..models import (
    RESPONSE_STATUSES,
    Campaign,
    CampaignTarget,
    Response,
)
from ..registry import target_models


def campaigns_newest_first() -> Select[tuple[Campaign]]:
    return select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())


def campaign_by_code(code: str) -> Select[tuple[Campaign]]:
    return select(Campaign).where(Campaign.code == code)


def response_counts(
    session: Session, campaign_id: int, target_ids: Collection[int] | None = None
) -> dict[str, Any]:
    """Responses of a campaign (to `target_ids` only, when given): `total`, `by_status`
    (every status, zeros included), `by_category` and `by_target` (campaign target id →
    count)."""
    by_status = dict.fromkeys(RESPONSE_STATUSES, 0)
    by_category: dict[str, int] = {}
    total = 0
    scope = [Response.campaign_id == campaign_id]
    if target_ids is not None:
        scope.append(Response.campaign_target_id.in_(list(target_ids)))
    rows = session.execute(
        select(Response.status, Response.category, func.count())
        .where(*scope)
        .group_by(Response.status, Response.category)
    )
    for status, category, count in rows:
        by_status[status] += count
        by_category[category] = by_category.get(category, 0) + count
        total += count
    by_target = dict(
        session.execute(
            select(Response.campaign_target_id, func.count())
            .where(*scope)
            .group_by(Response.campaign_target_id)
        ).all()
    )
    return {
        "total": total,
        "by_status": by_status,
        "by_category": by_category,
        "by_target": by_target,
    }


@dataclass(frozen=True)
class TargetSubject:
    """A campaign target and what it appraises."""

    target_id: int
    kind: str
    subject_id: int
    code: str
    name_zh: str
    name_en: str
    veto: bool

    @property
    def key(self) -> str:
        """ "<kind>:<code>" ("cadre:C007"), the name scripts and the scoring input use."""
        return f"{self.kind}:{self.code}"


def target_subjects(session: Session, campaign_id: int) -> list[TargetSubject]:
    """The campaign's targets with their subjects, units first, then service points, then
    cadres, each by code: three queries, no ORM objects."""
    subjects: list[TargetSubject] = []
    for target_model in target_models():
        kind, model, column = target_model.key, target_model.model, target_model.column
        rows = session.execute(
            select(
                CampaignTarget.id,
                model.id,
                model.code,
                model.name_zh,
                model.name_en,
                CampaignTarget.veto,
            )
            .join(model, model.id == column)
            .where(CampaignTarget.campaign_id == campaign_id)
            .order_by(model.code)
        )
        subjects += [
            TargetSubject(target_id, kind, subject_id, code, zh, en, bool(veto))
            for target_id, subject_id, code, zh, en, veto in rows
        ]
    return subjects


def target_keys(session: Session, campaign_id: int) -> dict[int, str]:
    """Campaign target id → "<kind>:<code>" ("cadre:C007"), the key scripts see."""
    return {subject.target_id: subject.key for subject in target_subjects(session, campaign_id)}


def campaign_status(session: Session, campaign: Campaign) -> dict[str, Any]:
    """What `appraisal campaign-status --json` prints: the campaign, its status and the
    response counts, with targets named "<kind>:<code>" (every target, zeros included)."""
    counts = response_counts(session, campaign.id)
    keys = target_keys(session, campaign.id)
    by_target = {key: counts["by_target"].get(target_id, 0) for target_id, key in keys.items()}
    return {
        "campaign": campaign.code,
        "status": campaign.status,
        "total": counts["total"],
        "by_status": counts["by_status"],
        "by_category": counts["by_category"],
        "by_target": dict(sorted(by_target.items())),
    }


def targets_of_cadre(cadre_id: int) -> Select[tuple[CampaignTarget, Campaign]]:
    """The campaign targets that appraise one cadre, newest campaign first."""
    return (
        select(CampaignTarget, Campaign)
        .join(Campaign, CampaignTarget.campaign_id == Campaign.id)
        .where(CampaignTarget.cadre_id == cadre_id)
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    )


def counted_responses_per_target(target_ids: list[int]) -> Select[tuple[int, int]]:
    return (
        select(Response.campaign_target_id, func.count())
        .where(Response.campaign_target_id.in_(target_ids), Response.status == "counted")
        .group_by(Response.campaign_target_id)
    )
