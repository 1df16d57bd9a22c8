"""Weights by pairwise comparison (AHP)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scoring import AhpError, AhpResult, ahp

from ....db import get_session
from ....models import CATEGORIES, Campaign
from ....services import campaigns as service
from ....templating import localized as tr
from ...access import campaign_or_404, role_required
from ..blueprint import bp
from .common import CHOICE_LABELS, _locked_or_404, _render

# Weights by pairwise comparison (AHP) ----------------------------------------------------


def _ahp_items(campaign: Campaign, kind: str) -> list[tuple[str, str]]:
    """(key, label) of what the comparison weighs."""
    if kind == "categories":
        used = [row.category for row in campaign.categories if row.questionnaire_version_id]
        return [(c, str(CHOICE_LABELS.get(c, c))) for c in CATEGORIES if c in used]
    return [(row.indicator.code, tr(row.indicator, "name")) for row in campaign.indicator_weights]


@bp.route("/campaigns/<code>/ahp/<any(categories, indicators):kind>", methods=["GET", "POST"])
@role_required("admin")
def campaign_ahp(code: str, kind: str):
    """Weights by Saaty's pairwise comparison: each pair judged once, the weights and the
    consistency ratio shown; inconsistent judgements (CR > 0.1) are refused, consistent
    ones can be applied to a draft."""
    campaign = campaign_or_404(code)
    items = _ahp_items(campaign, kind)
    pairs = [(i, j) for i in range(len(items)) for j in range(i + 1, len(items))]
    chosen = {pair: request.form.get(f"a{pair[0]}_{pair[1]}", "1") for pair in pairs}
    outcome = None
    status = 200
    if request.method == "POST":
        values = {pair: service.saaty_value(text) for pair, text in chosen.items()}
        if None in values.values() or len(items) < 2:
            abort(400)
        matrix = service.comparison_matrix([key for key, _ in items], values)
        try:
            outcome = ahp(matrix)
        except AhpError as error:
            outcome, status = error, 422
        if request.form.get("apply") == "1" and isinstance(outcome, AhpResult):
            weights = {key: round(w, 6) for (key, _), w in zip(items, outcome.weights, strict=True)}
            session = get_session()
            campaign = _locked_or_404(code)
            try:
                service.set_weights(session, campaign, kind, weights, current_user, cr=outcome.cr)
            except service.CampaignError as error:
                session.rollback()
                abort(409, str(error))
            session.commit()
            flash(_("The weights from the comparison were saved."))
            return redirect(url_for("admin.campaign", code=code))
    return _render(
        "admin/campaigns/ahp.html",
        status,
        campaign=campaign,
        kind=kind,
        items=items,
        pairs=pairs,
        chosen=chosen,
        scale=service.SAATY_VALUES,
        outcome=outcome,
        is_result=isinstance(outcome, AhpResult),
        problem=outcome.localized(_) if isinstance(outcome, AhpError) else None,
    )
