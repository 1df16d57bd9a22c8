"""Everything printable for a campaign's public links: QR codes and posters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from reports.posters import Poster, invitation_sheet, posters_a4, posters_a6
from reports.qr import qr_png, qr_svg

from ..models import Campaign, CampaignTarget, Link

CATEGORY_NOTES = {
    "grassroots": "基层单位评议 · Grassroots unit",
    "service_targets": "服务对象评议 · Service target",
}


def link_url(public_url: str, link: Link) -> str:
    return f"{public_url.rstrip('/')}/s/{link.token}"


def _links(session: Session, campaign: Campaign) -> Iterator[Link]:
    yield from session.scalars(
        select(Link)
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(CampaignTarget.campaign_id == campaign.id, Link.revoked.is_(False))
        .options(joinedload(Link.target))
        .order_by(CampaignTarget.kind, CampaignTarget.id, Link.category, Link.id)
    )


def _poster(public_url: str, campaign: Campaign, link: Link) -> Poster:
    subject = link.target.subject
    unit = getattr(subject, "unit", None) if link.target.kind != "unit" else None
    return Poster(
        url=link_url(public_url, link),
        title_zh=subject.name_zh,
        title_en=subject.name_en,
        unit_zh=unit.name_zh if unit else "",
        unit_en=unit.name_en if unit else "",
        campaign_zh=campaign.name_zh,
        campaign_en=campaign.name_en,
        note=CATEGORY_NOTES.get(link.category, "") if link.kind == "invitation" else "",
    )


def write_print_files(
    session: Session, campaign: Campaign, public_url: str, directory: Path
) -> list[Path]:
    """Write PNG and SVG codes of the open links, A6 and A4 posters, and a sheet of the
    unused invitation codes into `directory`; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    codes = directory / "codes"
    codes.mkdir(exist_ok=True)
    written: list[Path] = []
    posters: list[Poster] = []
    invitations: list[Poster] = []
    for link in _links(session, campaign):
        poster = _poster(public_url, campaign, link)
        if link.kind == "invitation":
            if link.used_at is None:
                invitations.append(poster)
            continue
        posters.append(poster)
        stem = f"{link.target.subject.code}-{link.category}"
        (codes / f"{stem}.png").write_bytes(qr_png(poster.url))
        (codes / f"{stem}.svg").write_text(qr_svg(poster.url), encoding="utf-8")
        written += [codes / f"{stem}.png", codes / f"{stem}.svg"]
    if posters:
        (directory / "posters-a6.pdf").write_bytes(posters_a6(posters))
        (directory / "posters-a4.pdf").write_bytes(posters_a4(posters))
        written += [directory / "posters-a6.pdf", directory / "posters-a4.pdf"]
    if invitations:
        (directory / "invitations-a4.pdf").write_bytes(invitation_sheet(invitations))
        written.append(directory / "invitations-a4.pdf")
    return written
