"""Vetoing a campaign's target, or lifting the veto."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ....db import get_session
from ....models import MAX_ID, CampaignTarget
from ....services import campaigns as service
from ...access import role_required
from ..blueprint import bp
from .common import _locked_or_404


@bp.post("/campaigns/<code>/targets/<int:target_id>/veto")
@role_required("admin")
def campaign_target_veto(code: str, target_id: int):
    session = get_session()
    campaign = _locked_or_404(code)
    target = session.get(CampaignTarget, target_id) if target_id <= MAX_ID else None
    if target is None or target.campaign_id != campaign.id:
        abort(404)
    lift = request.form.get("action") == "lift"
    try:
        service.set_veto(
            session,
            campaign,
            target,
            None if lift else request.form.get("veto_reason", ""),
            current_user,
        )
    except service.InvalidInput:
        session.rollback()
        abort(400, _("Give the reason for the veto."))
    except service.CampaignError as error:
        session.rollback()
        abort(409, str(error))
    session.commit()
    flash(_("The veto was lifted.") if lift else _("The target is vetoed."))
    return redirect(url_for("admin.campaign_target_links", code=code, target_id=target_id))
