"""Choosing a draft campaign's targets."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ....db import get_session
from ....models import Campaign
from ....services import campaigns as service
from ...access import campaign_or_404, role_required
from ..blueprint import bp
from .common import _id_list, _locked_or_404, _render

# Targets -----------------------------------------------------------------------------


def _render_targets(campaign: Campaign, chosen: set[service.TargetKey], status: int = 200):
    return _render(
        "admin/campaigns/targets.html",
        status,
        campaign=campaign,
        groups=service.unit_groups(get_session(), campaign),
        chosen={service.target_key(*key) for key in chosen},
        target_key=service.target_key,
        editable=campaign.status == "draft",
    )


@bp.get("/campaigns/<code>/targets")
@role_required("admin")
def campaign_targets(code: str):
    campaign = campaign_or_404(code)
    return _render_targets(campaign, {service.key_of(t) for t in campaign.targets})


def _wanted_targets(campaign: Campaign) -> set[service.TargetKey]:
    """The ticked targets, plus every member of each unit ticked as "all of this unit"."""
    try:
        wanted = service.parse_target_keys(request.form.getlist("t"))
    except service.InvalidInput:
        abort(400)
    whole_units = _id_list("all")
    if whole_units:
        groups = {g.unit.id: g for g in service.unit_groups(get_session(), campaign)}
        if not whole_units <= groups.keys():
            abort(400)
        for unit_id in whole_units:
            wanted.update(groups[unit_id].keys())
    return wanted


@bp.post("/campaigns/<code>/targets")
@role_required("admin")
def campaign_targets_save(code: str):
    session = get_session()
    campaign = _locked_or_404(code)
    wanted = _wanted_targets(campaign)
    try:
        added, removed = service.set_targets(session, campaign, wanted, current_user)
    except service.CampaignError as error:
        session.rollback()
        abort(409, str(error))
    except service.InvalidInput:
        session.rollback()
        abort(400)
    session.commit()
    flash(
        _(
            "Targets saved: %(added)s added, %(removed)s removed, %(total)s in all.",
            added=added,
            removed=removed,
            total=len(wanted),
        )
    )
    return redirect(url_for("admin.campaign_targets", code=code))
