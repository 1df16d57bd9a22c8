"""Opening, closing and finalising a campaign, each after a confirmation page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ....db import get_session
from ....models import Campaign
from ....services import campaigns as service
from ...access import campaign_or_404, role_required
from ..blueprint import bp
from .common import _locked_or_404, _render

STATUS_EXPLANATIONS = {
    "open": _l(
        "Opening makes the campaign's public links and invitation codes work. Its names,"
        " dates, scoring parameters, categories and targets can then no longer be changed."
    ),
    "closed": _l(
        "Closing stops the campaign taking responses. Its scoring can then be run on a"
        " complete set of responses."
    ),
    "finalised": _l("Finalising freezes the campaign's results. This cannot be undone."),
}
TRANSITION_TITLES = {
    "open": _l("Open the campaign"),
    "closed": _l("Close the campaign"),
    "finalised": _l("Finalise the campaign"),
}


# Status ------------------------------------------------------------------------------


def _render_status(campaign: Campaign, status: str, problems: list[Any], code: int = 200):
    return _render(
        "admin/campaigns/status.html",
        code,
        campaign=campaign,
        status=status,
        explanation=STATUS_EXPLANATIONS[status],
        action_title=TRANSITION_TITLES[status],
        problems=problems,
        allowed=service.NEXT_STATUS.get(campaign.status) == status,
    )


@bp.get("/campaigns/<code>/status/<any(open, closed, finalised):status>")
@role_required("admin")
def campaign_status_confirm(code: str, status: str):
    campaign = campaign_or_404(code)
    problems = service.opening_problems(campaign) if status == "open" else []
    return _render_status(campaign, status, problems)


@bp.post("/campaigns/<code>/status/<any(open, closed, finalised):status>")
@role_required("admin")
def campaign_status_change(code: str, status: str):
    session = get_session()
    campaign = _locked_or_404(code)
    try:
        made = service.change_status(session, campaign, status, current_user)
    except service.CampaignError as error:
        session.rollback()
        return _render_status(campaign_or_404(code), status, error.messages, 409)
    session.commit()
    messages = {
        "open": _("The campaign is open. %(count)s open links were made.", count=made),
        "closed": _("The campaign is closed."),
        "finalised": _("The campaign is finalised."),
    }
    flash(messages[status])
    return redirect(url_for("admin.campaign", code=code))
