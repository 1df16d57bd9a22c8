"""The campaigns list, a new campaign, and a campaign's settings page (names, dates,
scoring parameters, categories)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from ....db import begin_write, get_session
from ....models import CATEGORIES, Campaign
from ....queries.campaigns import campaigns_newest_first
from ....services import campaigns as service
from ...access import campaign_or_404, role_required
from ..blueprint import bp
from .common import _locked_or_404, _render

SCORING_GROUPS = (
    (
        _l("Scores"),
        ("aggregate", "trim_fraction", "prior_strength", "confidence", "satisfied_threshold"),
    ),
    (_l("Rating"), ("min_weight_share",)),
    (
        _l("Grades"),
        ("fail_below", "basic_below", "excellent_min", "excellent_quota", "quota_rounding"),
    ),
    (
        _l("Bonus"),
        ("bonus_excellent", "bonus_competent", "bonus_basic", "bonus_incompetent", "bonus_pool"),
    ),
    (_l("Funnel plot"), ("funnel_category",)),
)


def _display(value: Any) -> str:
    """A stored or entered value as a form field shows it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _form_values(values: dict[str, Any]) -> dict[str, str]:
    shown = {name: _display(values.get(name)) for name in service.EDITABLE_FIELDS}
    for category, setting in values["categories"].items():
        for name, value in setting.items():
            shown[service.category_field(category, name)] = _display(value)
    return shown


def _settings_context(values: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    return {
        "form": _form_values(values),
        "errors": errors,
        "rules": {name: rule for name, (_bound, rule) in service.NUMBER_RULES.items()},
        "category_rules": {
            "weight": service.CATEGORY_WEIGHT_RULE,
            "min_responses": service.MIN_RESPONSES_RULE,
        },
        "scoring_groups": SCORING_GROUPS,
        "choices": service.CHOICE_FIELDS,
        "categories": CATEGORIES,
        "versions": get_session().scalars(service.published_versions()).all(),
    }


def _render_campaign(
    campaign: Campaign,
    values: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    values = values if values is not None else service.settings_of(campaign)
    return _render(
        "admin/campaigns/campaign.html",
        status,
        campaign=campaign,
        editable=campaign.status == "draft",
        **_settings_context(values, errors or {}),
    )


def _previous_choices(session: Session) -> dict[str, Any]:
    """A new campaign's form offers, for each category, the newest published version of
    the questionnaire that the newest campaign with that category used (changeable)."""
    values = service.default_settings()
    newest: dict[int, int] = {}
    for version in session.scalars(service.published_versions()):
        newest.setdefault(version.questionnaire_id, version.id)
    for campaign in session.scalars(campaigns_newest_first()):
        for row in campaign.categories:
            setting = values["categories"][row.category]
            if setting["version_id"] is None:
                questionnaire_id = row.questionnaire_version.questionnaire_id
                setting["version_id"] = newest.get(questionnaire_id)
    return values


# List and create ---------------------------------------------------------------------


@bp.get("/campaigns/")
@role_required("admin")
def campaigns():
    listing = get_session().scalars(campaigns_newest_first()).all()
    return _render("admin/campaigns/index.html", campaigns=listing)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@role_required("admin")
def campaign_new():
    session = get_session()
    if request.method == "GET":
        return _render(
            "admin/campaigns/new.html", code="", **_settings_context(_previous_choices(session), {})
        )
    code = request.form.get("code", "").strip()
    values = service.parse_settings(request.form, service.default_settings())
    begin_write(session)
    try:
        campaign = service.create_campaign(session, code, values, current_user)
    except service.InvalidInput as error:
        session.rollback()
        return _render(
            "admin/campaigns/new.html", 400, code=code, **_settings_context(values, error.errors)
        )
    session.commit()
    flash(_("The campaign was created as a draft. Choose its targets next."))
    return redirect(url_for("admin.campaign", code=campaign.code))


# Settings ----------------------------------------------------------------------------


@bp.get("/campaigns/<code>")
@role_required("admin")
def campaign(code: str):
    return _render_campaign(campaign_or_404(code))


@bp.post("/campaigns/<code>")
@role_required("admin")
def campaign_save(code: str):
    session = get_session()
    campaign = _locked_or_404(code)
    values = service.parse_settings(request.form, service.settings_of(campaign))
    try:
        service.update_campaign(session, campaign, values, current_user)
    except service.NotDraft as error:
        session.rollback()
        abort(409, str(error))
    except service.InvalidInput as error:
        session.rollback()
        return _render_campaign(campaign_or_404(code), values, error.errors, 400)
    session.commit()
    flash(_("Saved."))
    return redirect(url_for("admin.campaign", code=code))
