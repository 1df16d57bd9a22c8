"""Everything printable for a campaign's public links: QR codes and posters."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from reports.posters import Poster, invitation_sheet, posters_a4, posters_a6
from reports.qr import qr_png, qr_svg

from ..models import Campaign, CampaignTarget, Link
from .codes import grouped_code

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
        location_zh=getattr(subject, "location_zh", None) or "",
        location_en=getattr(subject, "location_en", None) or "",
        campaign_zh=campaign.name_zh,
        campaign_en=campaign.name_en,
        note=CATEGORY_NOTES.get(link.category, "") if link.kind == "invitation" else "",
        code=grouped_code(link.token) if link.kind == "invitation" else "",
        home_url=public_url.rstrip("/") + "/" if link.kind == "invitation" else "",
    )


@dataclass(frozen=True)
class PrintSet:
    """What a campaign prints: each open link with its poster, and the unused invitation
    codes (revoked links are left out)."""

    open_links: list[tuple[Link, Poster]]
    invitations: list[Poster]


def print_set(session: Session, campaign: Campaign, public_url: str) -> PrintSet:
    open_links: list[tuple[Link, Poster]] = []
    invitations: list[Poster] = []
    for link in _links(session, campaign):
        if link.kind == "invitation":
            if link.used_at is None:
                invitations.append(_poster(public_url, campaign, link))
            continue
        open_links.append((link, _poster(public_url, campaign, link)))
    return PrintSet(open_links, invitations)


def write_print_files(
    session: Session, campaign: Campaign, public_url: str, directory: Path
) -> list[Path]:
    """Write PNG and SVG codes of the open links, A6 and A4 posters, and a sheet of the
    unused invitation codes into `directory`; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    codes = directory / "codes"
    codes.mkdir(exist_ok=True)
    written: list[Path] = []
    printed = print_set(session, campaign, public_url)
    for link, poster in printed.open_links:
        stem = f"{link.target.subject.code}-{link.category}"
        (codes / f"{stem}.png").write_bytes(qr_png(poster.url))
        (codes / f"{stem}.svg").write_text(qr_svg(poster.url), encoding="utf-8")
        written += [codes / f"{stem}.png", codes / f"{stem}.svg"]
    posters = [poster for _link, poster in printed.open_links]
    if posters:
        (directory / "posters-a6.pdf").write_bytes(posters_a6(posters))
        (directory / "posters-a4.pdf").write_bytes(posters_a4(posters))
        written += [directory / "posters-a6.pdf", directory / "posters-a4.pdf"]
    if printed.invitations:
        (directory / "invitations-a4.pdf").write_bytes(invitation_sheet(printed.invitations))
        written.append(directory / "invitations-a4.pdf")
    return written


def print_archive(session: Session, campaign: Campaign, public_url: str) -> bytes:
    """A ZIP of everything `write_print_files` writes, with the same relative names."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        written = write_print_files(session, campaign, public_url, directory)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()
