"""A campaign's public links and invitation codes, its kiosks, QR codes and printing."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from reports.posters import invitation_sheet, posters_a4, posters_a6
from reports.qr import qr_png, qr_svg

from ....db import get_session
from ....models import MAX_ID, Campaign, CampaignTarget, Link
from ....services import campaigns as service
from ....services.kiosks import kiosks_of, lock_kiosk, revoke_kiosk
from ....services.printing import link_url, print_archive, print_set
from ...access import campaign_or_404, role_required
from ...downloads import audited_download
from ..blueprint import bp
from .common import _id_list, _locked_or_404, _render

#: Print downloads: file name → what it holds.
DOWNLOADS = {
    "posters-a6.pdf": _l("A6 posters (PDF)"),
    "posters-a4.pdf": _l("A4 posters, four to a page (PDF)"),
    "invitations-a4.pdf": _l("Sheet of the unused invitation codes (PDF)"),
    "print.zip": _l("Everything: QR codes, posters and the invitation sheet (ZIP)"),
}


# Links -------------------------------------------------------------------------------


def _render_links(campaign: Campaign, errors: dict[str, Any] | None = None, status: int = 200):
    session = get_session()
    categories = service.categories_of(campaign)
    rows = service.links_overview(session, campaign)
    return _render(
        "admin/campaigns/links.html",
        status,
        campaign=campaign,
        rows=rows,
        has_residents="residents" in categories,
        invitation_categories=[c for c in categories if c in service.INVITATION_CATEGORIES],
        linkable=campaign.status in service.LINKABLE_STATUSES,
        missing_open_links=sum(1 for row in rows if row.open_link is None),
        public_url=current_app.config["PUBLIC_URL"],
        link_url=link_url,
        downloads=DOWNLOADS,
        errors=errors or {},
        form=request.form if request.method == "POST" else {},
        ticked=set(request.form.getlist("target")) if request.method == "POST" else set(),
        max_per_target=service.MAX_INVITATIONS_PER_TARGET,
    )


@bp.get("/campaigns/<code>/links")
@role_required("admin")
def campaign_links(code: str):
    return _render_links(campaign_or_404(code))


@bp.post("/campaigns/<code>/links/open")
@role_required("admin")
def campaign_open_links(code: str):
    session = get_session()
    campaign = _locked_or_404(code)
    try:
        made = service.make_open_links(session, campaign, current_user)
    except service.CampaignError as error:
        session.rollback()
        abort(409, str(error))
    session.commit()
    flash(_("%(count)s open links were made.", count=made))
    return redirect(url_for("admin.campaign_links", code=code))


def _per_target() -> int:
    """The number of codes per target; 0 (refused by the service) when it is not one."""
    text = request.form.get("per_target", "").strip()
    return int(text) if (text.isascii() and text.isdigit()) and len(text) <= 6 else 0


@bp.post("/campaigns/<code>/invitations")
@role_required("admin")
def campaign_invitations(code: str):
    session = get_session()
    target_ids = None if request.form.get("all_targets") else _id_list("target")
    campaign = _locked_or_404(code)
    try:
        made = service.issue_invitations(
            session,
            campaign,
            request.form.get("category", ""),
            target_ids,
            _per_target(),
            current_user,
        )
    except service.CampaignError as error:
        session.rollback()
        abort(409, str(error))
    except service.InvalidInput as error:
        session.rollback()
        return _render_links(campaign_or_404(code), error.errors, 400)
    session.commit()
    flash(_("%(count)s invitation codes were made.", count=made))
    return redirect(url_for("admin.campaign_links", code=code))


@bp.get("/campaigns/<code>/targets/<int:target_id>/links")
@role_required("admin")
def campaign_target_links(code: str, target_id: int):
    session = get_session()
    campaign = campaign_or_404(code)
    target = session.get(CampaignTarget, target_id) if target_id <= MAX_ID else None
    if target is None or target.campaign_id != campaign.id:
        abort(404)
    return _render(
        "admin/campaigns/target_links.html",
        campaign=campaign,
        target=target,
        links=session.scalars(service.target_links(target)).all(),
        public_url=current_app.config["PUBLIC_URL"],
        link_url=link_url,
    )


@bp.post("/campaigns/<code>/links/<int:link_id>/revoke")
@role_required("admin")
def campaign_link_revoke(code: str, link_id: int):
    session = get_session()
    campaign = _locked_or_404(code)
    link = service.lock_link(session, campaign, link_id) if link_id <= MAX_ID else None
    if link is None:
        abort(404)
    target_id = link.campaign_target_id
    revoked = service.revoke_link(session, link, current_user)
    session.commit()
    flash(_("The link was revoked.") if revoked else _("The link was revoked already."))
    if request.form.get("back") == "target":
        return redirect(url_for("admin.campaign_target_links", code=code, target_id=target_id))
    return redirect(url_for("admin.campaign_links", code=code))


# Kiosks ------------------------------------------------------------------------------


@bp.get("/campaigns/<code>/kiosks")
@role_required("admin")
def campaign_kiosks(code: str):
    campaign = campaign_or_404(code)
    return _render(
        "admin/campaigns/kiosks.html",
        campaign=campaign,
        rows=kiosks_of(get_session(), campaign),
    )


@bp.post("/campaigns/<code>/kiosks/<int:kiosk_id>/revoke")
@role_required("admin")
def campaign_kiosk_revoke(code: str, kiosk_id: int):
    session = get_session()
    campaign = _locked_or_404(code)
    kiosk = lock_kiosk(session, campaign, kiosk_id) if kiosk_id <= MAX_ID else None
    if kiosk is None:
        abort(404)
    revoked = revoke_kiosk(session, kiosk, current_user)
    session.commit()
    flash(
        _("The kiosk was revoked: its responses are now treated as any other device's.")
        if revoked
        else _("The kiosk was revoked already.")
    )
    return redirect(url_for("admin.campaign_kiosks", code=code))


# Downloads ---------------------------------------------------------------------------


def _audited_download(campaign: Campaign, filename: str, body: bytes | str, mimetype: str):
    return audited_download(
        body,
        mimetype,
        filename,
        object_type="campaign",
        object_id=campaign.id,
        campaign=campaign.code,
        file=filename,
    )


@bp.get("/campaigns/<code>/links/<int:link_id>/qr.<any(png, svg):kind>")
@role_required("admin")
def campaign_link_qr(code: str, link_id: int, kind: str):
    session = get_session()
    campaign = campaign_or_404(code)
    link = session.get(Link, link_id) if link_id <= MAX_ID else None
    if link is None or link.target.campaign_id != campaign.id:
        abort(404)
    if link.revoked:
        abort(410)
    url = link_url(current_app.config["PUBLIC_URL"], link)
    subject = link.target.subject
    filename = f"{code}-{subject.code}-{link.category}-{link.id}.{kind}"
    if kind == "png":
        return _audited_download(campaign, filename, qr_png(url), "image/png")
    return _audited_download(campaign, filename, qr_svg(url), "image/svg+xml")


@bp.get("/campaigns/<code>/print/<name>")
@role_required("admin")
def campaign_print(code: str, name: str):
    if name not in DOWNLOADS:
        abort(404)
    session = get_session()
    campaign = campaign_or_404(code)
    public_url = current_app.config["PUBLIC_URL"]
    filename = f"{code}-{name}"
    printed = print_set(session, campaign, public_url)
    if name == "print.zip":
        if not printed.open_links and not printed.invitations:
            abort(409, _("The campaign has no links to print yet."))
        archive = print_archive(session, campaign, public_url)
        return _audited_download(campaign, filename, archive, "application/zip")
    if name == "invitations-a4.pdf":
        if not printed.invitations:
            abort(409, _("There are no unused invitation codes to print."))
        body = invitation_sheet(printed.invitations)
    else:
        posters = [poster for _link, poster in printed.open_links]
        if not posters:
            abort(409, _("There are no open links to print."))
        body = posters_a6(posters) if name == "posters-a6.pdf" else posters_a4(posters)
    return _audited_download(campaign, filename, body, "application/pdf")
