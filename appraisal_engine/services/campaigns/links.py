"""A campaign's public links and one-time invitation codes: made, revoked, counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from ...models import CATEGORIES, Campaign, CampaignTarget, Link, User, utcnow
from ..audit import record, record_on_campaign
from ..codes import new_invitation_code, new_link_token
from .common import CampaignError, InvalidInput
from .targets import campaign_targets

#: Categories that answer with one-time invitation codes (residents use open links).
INVITATION_CATEGORIES = ("grassroots", "service_targets")
#: Statuses in which links may still be made (a closed campaign takes no responses).
LINKABLE_STATUSES = ("draft", "open")
MAX_INVITATIONS_PER_TARGET = 500
MAX_INVITATIONS_PER_BATCH = 20_000


LINKS_CLOSED = _l("The campaign is closed: no more links can be made.")


# Links -------------------------------------------------------------------------------


def categories_of(campaign: Campaign) -> list[str]:
    """The campaign's configured categories, in CATEGORIES order."""
    configured = {row.category for row in campaign.categories}
    return [category for category in CATEGORIES if category in configured]


def _require_linkable(campaign: Campaign) -> None:
    if campaign.status not in LINKABLE_STATUSES:
        raise CampaignError(LINKS_CLOSED)


def _insert_links(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        now = utcnow()
        session.execute(
            insert(Link), [{"revoked": False, "created_at": now, **row} for row in rows]
        )


def ensure_open_links(session: Session, campaign: Campaign) -> int:
    """Give every target without one a residents' open link, when the campaign has a
    residents category; returns how many were made."""
    if "residents" not in categories_of(campaign):
        return 0
    _require_linkable(campaign)
    session.flush()
    linked = set(
        session.scalars(
            select(Link.campaign_target_id)
            .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
            .where(
                CampaignTarget.campaign_id == campaign.id,
                Link.kind == "open",
                Link.category == "residents",
                Link.revoked.is_(False),
            )
        )
    )
    rows = [
        {
            "token": new_link_token(),
            "campaign_target_id": target.id,
            "category": "residents",
            "kind": "open",
        }
        for target in campaign.targets
        if target.id not in linked
    ]
    _insert_links(session, rows)
    return len(rows)


def make_open_links(session: Session, campaign: Campaign, user: User) -> int:
    """`ensure_open_links` from the links page's button, audited."""
    if "residents" not in categories_of(campaign):
        raise CampaignError(_l("The campaign has no residents category: it has no open links."))
    made = ensure_open_links(session, campaign)
    record(
        session,
        "campaign.open_links",
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={"code": campaign.code, "made": made},
    )
    return made


def issue_invitations(
    session: Session,
    campaign: Campaign,
    category: str,
    target_ids: set[int] | None,
    per_target: int,
    user: User,
) -> int:
    """`per_target` one-time invitation codes of `category` for each chosen target
    (`None`: every target); returns how many were made."""
    _require_linkable(campaign)
    errors: dict[str, Any] = {}
    if category not in INVITATION_CATEGORIES or category not in categories_of(campaign):
        errors["category"] = _l("Choose a category of the campaign that answers by invitation.")
    if not 1 <= per_target <= MAX_INVITATIONS_PER_TARGET:
        errors["per_target"] = _l(
            "A whole number from 1 to %(max)s.", max=MAX_INVITATIONS_PER_TARGET
        )
    targets = [t for t in campaign.targets if target_ids is None or t.id in target_ids]
    if target_ids is not None and len(targets) != len(target_ids):
        errors["targets"] = _l("Some of the chosen targets are not targets of this campaign.")
    elif not targets:
        errors["targets"] = _l("Choose at least one target.")
    elif len(targets) * per_target > MAX_INVITATIONS_PER_BATCH:
        errors["per_target"] = _l(
            "At most %(max)s codes in one batch: choose fewer targets or fewer codes.",
            max=MAX_INVITATIONS_PER_BATCH,
        )
    if errors:
        raise InvalidInput(errors)
    rows = [
        {
            "token": new_invitation_code(),
            "campaign_target_id": target.id,
            "category": category,
            "kind": "invitation",
        }
        for target in targets
        for _ in range(per_target)
    ]
    _insert_links(session, rows)
    record_on_campaign(
        session,
        "campaign.invitations",
        campaign,
        user,
        {
            "category": category,
            "targets": len(targets),
            "per_target": per_target,
            "made": len(rows),
        },
    )
    return len(rows)


def lock_link(session: Session, campaign: Campaign, link_id: int) -> Link | None:
    """The campaign's link, locked (call after `lock_campaign`); None if it has no such link."""
    return session.scalar(
        select(Link)
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(Link.id == link_id, CampaignTarget.campaign_id == campaign.id)
        .with_for_update(of=Link)
    )


def revoke_link(session: Session, link: Link, user: User) -> bool:
    """Revoke the (locked) link: its code stops working. False if it was revoked already."""
    if link.revoked:
        return False
    link.revoked = True
    record(
        session,
        "link.revoke",
        user=user,
        object_type="link",
        object_id=link.id,
        details={
            "campaign_target": link.campaign_target_id,
            "category": link.category,
            "kind": link.kind,
            "used": link.used_at is not None,
        },
    )
    return True


# Reading -----------------------------------------------------------------------------


@dataclass
class InvitationCount:
    issued: int = 0
    used: int = 0

    @property
    def unused(self) -> int:
        return self.issued - self.used


@dataclass
class TargetLinks:
    """A target's row on the links page."""

    target: CampaignTarget
    open_link: Link | None
    invitations: dict[str, InvitationCount]


def invitation_counts(
    session: Session, campaign: Campaign
) -> dict[tuple[int, str], InvitationCount]:
    """(target id, category) → invitation codes issued and used (revoked ones left out),
    counted by the database."""
    rows = session.execute(
        select(Link.campaign_target_id, Link.category, func.count(), func.count(Link.used_at))
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(
            CampaignTarget.campaign_id == campaign.id,
            Link.kind == "invitation",
            Link.revoked.is_(False),
        )
        .group_by(Link.campaign_target_id, Link.category)
    )
    return {
        (target, category): InvitationCount(issued, used) for target, category, issued, used in rows
    }


def links_overview(session: Session, campaign: Campaign) -> list[TargetLinks]:
    """Each target with its open residents' link and its invitation counts per category."""
    open_links: dict[int, Link] = {}
    for link in session.scalars(
        select(Link)
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(
            CampaignTarget.campaign_id == campaign.id,
            Link.kind == "open",
            Link.revoked.is_(False),
        )
        .order_by(Link.id)
    ):
        open_links.setdefault(link.campaign_target_id, link)
    counts = invitation_counts(session, campaign)
    categories = [c for c in categories_of(campaign) if c in INVITATION_CATEGORIES]
    return [
        TargetLinks(
            target,
            open_links.get(target.id),
            {c: counts.get((target.id, c), InvitationCount()) for c in categories},
        )
        for target in session.scalars(campaign_targets(campaign))
    ]


def target_links(campaign_target: CampaignTarget) -> Select[tuple[Link]]:
    """Every link of one target, revoked ones too: open links first, then by category."""
    return (
        select(Link)
        .where(Link.campaign_target_id == campaign_target.id)
        .order_by(Link.kind.desc(), Link.category, Link.id)
    )
