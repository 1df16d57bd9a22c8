"""Campaign administration: list, create, edit drafts (names, dates, scoring parameters,
categories), choose targets, open → close → finalise, public links, invitation codes and
their printing, kiosks. The views read the form and show the result; services.campaigns makes the
changes, refuses what the campaign's state does not allow and writes the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from reports.posters import invitation_sheet, posters_a4, posters_a6
from reports.qr import qr_png, qr_svg
from scoring import AhpError, AhpResult, ahp

from ...db import begin_write, get_session
from ...models import CATEGORIES, MAX_ID, Campaign, CampaignTarget, Link
from ...queries.campaigns import campaigns_newest_first
from ...services import campaigns as service
from ...services.kiosks import kiosks_of, lock_kiosk, revoke_kiosk
from ...services.printing import link_url, print_archive, print_set
from ...templating import CATEGORY_LABELS
from ...templating import localized as tr
from ..access import campaign_or_404, role_required
from ..downloads import audited_download
from .blueprint import bp

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
#: Print downloads: file name → what it holds.
DOWNLOADS = {
    "posters-a6.pdf": _l("A6 posters (PDF)"),
    "posters-a4.pdf": _l("A4 posters, four to a page (PDF)"),
    "invitations-a4.pdf": _l("Sheet of the unused invitation codes (PDF)"),
    "print.zip": _l("Everything: QR codes, posters and the invitation sheet (ZIP)"),
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


def _id_list(name: str) -> set[int]:
    """Ids from a multi-valued form field; 400 on anything that is not one."""
    values = request.form.getlist(name)
    if not all((v.isascii() and v.isdigit()) and int(v) <= MAX_ID for v in values):
        abort(400)
    return {int(v) for v in values}


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
