"""What the campaign pages share: the labels they show, rendering, the campaign lock."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l

from ....db import get_session
from ....labels import CATEGORY_LABELS
from ....models import MAX_ID, Campaign
from ....services import campaigns as service

FIELD_LABELS = {
    "code": _l("Code"),
    "name_zh": _l("Name in Chinese"),
    "name_en": _l("Name in English"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "aggregate": _l("Category score"),
    "trim_fraction": _l("Share trimmed from each end (trimmed mean)"),
    "prior_strength": _l("Prior strength (shrunk mean)"),
    "min_weight_share": _l("Minimum share of the category weights for a rating"),
    "satisfied_threshold": _l("A response counts as satisfied from this score"),
    "confidence": _l("Confidence level"),
    "fail_below": _l("Incompetent below"),
    "basic_below": _l("Basic below"),
    "excellent_min": _l("Excellent from"),
    "excellent_quota": _l("Excellent quota (share of the rated targets)"),
    "quota_rounding": _l("Rounding of the excellent places (quota × rated targets)"),
    "bonus_excellent": _l("Bonus coefficient: excellent"),
    "bonus_competent": _l("Bonus coefficient: competent"),
    "bonus_basic": _l("Bonus coefficient: basic"),
    "bonus_incompetent": _l("Bonus coefficient: incompetent"),
    "bonus_pool": _l("Bonus pool"),
    "funnel_category": _l("Category of the funnel plot"),
}


CHOICE_LABELS = {
    "mean": _l("Mean"),
    "trimmed_mean": _l("Trimmed mean"),
    "shrunk_mean": _l("Mean shrunk towards the category's mean"),
    "floor": _l("Round down"),
    "half_up": _l("Round to the nearest, a half up"),
    "ceil": _l("Round up"),
    **CATEGORY_LABELS,
}
TARGET_KIND_LABELS = {
    "unit": _l("Unit"),
    "service_point": _l("Service window"),
    "cadre": _l("Cadre"),
}


# Helpers -----------------------------------------------------------------------------


def _locked_or_404(code: str) -> Campaign:
    campaign = service.lock_campaign(get_session(), code)
    if campaign is None:
        abort(404)
    return campaign


def _render(template: str, http_status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        template,
        field_labels=FIELD_LABELS,
        choice_labels=CHOICE_LABELS,
        kind_labels=TARGET_KIND_LABELS,
        next_status=service.NEXT_STATUS,
        **context,
    ), http_status


def _id_list(name: str) -> set[int]:
    """Ids from a multi-valued form field; 400 on anything that is not one."""
    values = request.form.getlist(name)
    if not all((v.isascii() and v.isdigit()) and int(v) <= MAX_ID for v in values):
        abort(400)
    return {int(v) for v in values}
