"""Flagged responses of a campaign: the reasons, and a reviewer's decisions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ...db import begin_write, get_session
from ...models import MAX_ID, Campaign
from ...services import reviews as service
from ...services.campaigns import NEXT_STATUS
from ..access import campaign_or_404, role_required
from .blueprint import bp
from .campaigns import CHOICE_LABELS

REASON_LABELS = {
    "duplicate_device": _l("Same device answered this target again within a day"),
    "burst": _l("Far more responses to this link than usual in a few minutes"),
    "too_fast": _l("Answered implausibly fast"),
    "identical_answers": _l("Identical answers to others in a burst"),
    "same_network": _l("Several answers to this target from one address and browser"),
}
CHANNEL_LABELS = {
    "web": _l("Phone or computer"),
    "kiosk": _l("Kiosk"),
    "invitation": _l("Invitation code"),
    "paper": _l("Paper ballot"),
}
VIEW_LABELS = {
    "flagged": _l("Waiting for review"),
    "excluded": _l("Excluded"),
    "reinstated": _l("Reinstated"),
}


@bp.get("/campaigns/<code>/review")
@role_required("admin")
def review(code: str):
    campaign = campaign_or_404(code)
    view = request.args.get("view", "flagged")
    reason = request.args.get("reason") or None
    page = request.args.get("page", "1")
    if view not in service.VIEWS or (reason and reason not in REASON_LABELS):
        abort(400)
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= 100_000:
        abort(400)
    session = get_session()
    rows, total = service.review_rows(session, campaign.id, view, reason=reason, page=int(page))
    return render_template(
        "admin/reviews.html",
        campaign=campaign,
        view=view,
        reason=reason,
        page=int(page),
        pages=max(1, -(-total // service.PAGE_SIZE)),
        rows=rows,
        total=total,
        counts=service.counts(session, campaign.id),
        reason_labels=REASON_LABELS,
        view_labels=VIEW_LABELS,
        channel_labels=CHANNEL_LABELS,
        category_labels=CHOICE_LABELS,
        next_status=NEXT_STATUS,
    )


@bp.post("/campaigns/<code>/review")
@role_required("admin")
def review_decide(code: str):
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "").strip()
    values = request.form.getlist("response")
    if decision not in service.DECISIONS or len(reason) > 2000 or "\x00" in reason:
        abort(400)
    if not all((v.isascii() and v.isdigit()) and int(v) <= MAX_ID for v in values):
        abort(400)
    back = url_for(
        "admin.review",
        code=code,
        view=request.form.get("view", "flagged"),
        reason=request.form.get("reason_filter") or None,
    )
    if not values:
        flash(_("Choose at least one response."))
        return redirect(back)
    if decision == "excluded" and not reason:
        flash(_("Please give a reason for excluding responses."))
        return redirect(back)
    session = get_session()
    begin_write(session)
    campaign = session.scalar(select(Campaign).where(Campaign.code == code).with_for_update())
    if campaign is None:
        abort(404)
    try:
        changed = service.decide(
            session, campaign, [int(v) for v in values], decision, reason, current_user
        )
    except service.ReviewRefused:
        session.rollback()
        abort(409)
    session.commit()
    if decision == "counted":
        flash(_("%(count)d responses are counted again.", count=changed))
    else:
        flash(_("%(count)d responses are excluded.", count=changed))
    return redirect(back)
