"""Kiosks: setting a tablet up at a window, deciding whether it is still trusted, listing
a campaign's kiosks and revoking one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from ..models import Campaign, CampaignTarget, Kiosk, Link, Response, User, utcnow
from ..models.kiosks import DEVICE_LENGTH, LABEL_LENGTH
from .audit import record
from .text import plain_line


def set_up_kiosk(
    session: Session,
    link_id: int,
    user: User,
    *,
    label: str,
    device: str,
    lasts: timedelta,
    now: datetime | None = None,
) -> Kiosk:
    """Record a kiosk for the open link `link_id` (audited); the caller commits."""
    now = now or utcnow()
    kiosk = Kiosk(
        link_id=link_id,
        label=plain_line(label, LABEL_LENGTH),
        device=plain_line(device, DEVICE_LENGTH),
        set_up_by_id=user.id,
        set_up_at=now,
        expires_at=now + lasts,
    )
    session.add(kiosk)
    session.flush()
    record(
        session,
        "kiosk.set_up",
        user=user,
        object_type="kiosk",
        object_id=kiosk.id,
        details={"link": link_id, "label": kiosk.label, "expires_at": kiosk.expires_at.isoformat()},
    )
    return kiosk


def still_trusted(now: datetime) -> ColumnElement[bool]:
    """The condition on a kiosk's row for its tablet to be trusted at `now`."""
    return and_(Kiosk.revoked_at.is_(None), Kiosk.expires_at > now)


def trusted_kiosk_id(
    session: Session, kiosk_id: int, token: str, now: datetime | None = None
) -> int | None:
    """`kiosk_id` if that kiosk was set up for the link `token`, is not revoked and has not
    expired; else None (the device is then an ordinary one)."""
    return session.scalar(
        select(Kiosk.id)
        .join(Link, Link.id == Kiosk.link_id)
        .where(Kiosk.id == kiosk_id, Link.token == token, still_trusted(now or utcnow()))
    )


@dataclass(frozen=True)
class KioskRow:
    kiosk: Kiosk
    target: CampaignTarget
    responses: int
    #: "active", "revoked" or "expired".
    state: str


def kiosks_of(session: Session, campaign: Campaign, now: datetime | None = None) -> list[KioskRow]:
    """The campaign's kiosks, newest first, with the responses each recorded."""
    now = now or utcnow()
    counts = (
        select(Response.kiosk_id, func.count().label("n"))
        .where(Response.campaign_id == campaign.id, Response.kiosk_id.is_not(None))
        .group_by(Response.kiosk_id)
        .subquery()
    )
    rows = session.execute(
        select(Kiosk, CampaignTarget, func.coalesce(counts.c.n, 0))
        .join(Link, Link.id == Kiosk.link_id)
        .join(CampaignTarget, CampaignTarget.id == Link.campaign_target_id)
        .outerjoin(counts, counts.c.kiosk_id == Kiosk.id)
        .where(CampaignTarget.campaign_id == campaign.id)
        .order_by(Kiosk.set_up_at.desc(), Kiosk.id.desc())
    ).all()
    return [
        KioskRow(kiosk, target, responses, _state(kiosk, now)) for kiosk, target, responses in rows
    ]


def _state(kiosk: Kiosk, now: datetime) -> str:
    if kiosk.revoked_at is not None:
        return "revoked"
    return "active" if now < kiosk.expires_at else "expired"


def lock_kiosk(session: Session, campaign: Campaign, kiosk_id: int) -> Kiosk | None:
    """The campaign's kiosk `kiosk_id`, locked for update; None if the campaign has none."""
    return session.scalar(
        select(Kiosk)
        .join(Link, Link.id == Kiosk.link_id)
        .join(CampaignTarget, CampaignTarget.id == Link.campaign_target_id)
        .where(Kiosk.id == kiosk_id, CampaignTarget.campaign_id == campaign.id)
        .with_for_update(of=Kiosk)
    )


def revoke_kiosk(session: Session, kiosk: Kiosk, user: User, now: datetime | None = None) -> bool:
    """Stop trusting the (locked) kiosk at once. False if it was revoked already. Its
    responses so far stay as they are; a reviewer can find them by the kiosk."""
    if kiosk.revoked_at is not None:
        return False
    kiosk.revoked_at = now or utcnow()
    kiosk.revoked_by_id = user.id
    record(
        session,
        "kiosk.revoke",
        user=user,
        object_type="kiosk",
        object_id=kiosk.id,
        details={"link": kiosk.link_id, "label": kiosk.label},
    )
    return True
