"""Leadership: a campaign's dashboard while it runs, its ranking and charts, the ranked
assessment report (PDF, XLSX, CSV) and the public league table of its units.

Every figure is read from a stored scoring run (`services.assessment.results_run`). A
leader scoped to a unit sees only the targets of that unit's subtree, everywhere here."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from reports.assessment import (
    LEVELS,
    ReportInput,
    change_chart,
    composite_chart,
    funnel_chart,
    indicator_heatmap,
    ranked_rows,
)
from reports.timeline import daily_chart

from ..db import begin_write, get_session
from ..labels import CATEGORY_LABELS
from ..models import Campaign, utcnow
from ..queries.campaigns import campaign_by_code
from ..services.assessment import report_input, results_run, run_is_final, target_places
from ..services.audit import record
from ..services.dashboard import daily_counts, day_range
from ..services.reports import REPORT_FORMATS, cached_report, report_filename
from ..templating import current_language
from .access import (
    campaign_or_404,
    role_required,
    visible_target_ids,
    visible_unit_ids,
    whole_bureau_required,
)
from .downloads import audited_download
from .leadership import bp

CHARTS: dict[str, Callable[[ReportInput, str], bytes | None]] = {
    "composite": composite_chart,
    "funnel": funnel_chart,
    "indicators": indicator_heatmap,
    "change": change_chart,
}
SORT_KEYS = ("rank", "composite", "name", "unit", "n", "satisfaction", "change")


def _visible_keys(campaign: Campaign) -> set[str] | None:
    """The keys ("cadre:C007") of the targets the signed-in user may see; None: all."""
    ids = visible_target_ids(current_user, campaign.id)
    if ids is None:
        return None
    places = target_places(get_session(), campaign.id)
    return {key for key, place in places.items() if place.target_id in ids}


def _report(campaign: Campaign, language: str | None = None) -> ReportInput | None:
    run = results_run(get_session(), campaign)
    if run is None:
        return None
    return report_input(
        get_session(),
        campaign,
        run,
        language=language or current_language(),
        visible_keys=_visible_keys(campaign),
    )


@bp.get("/campaigns/<code>")
@role_required("leader", "admin")
def dashboard(code: str) -> str:
    campaign = campaign_or_404(code)
    session = get_session()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    days = daily_counts(session, campaign.id, zone, visible_target_ids(current_user, campaign.id))
    totals: dict[str, int] = {"counted": 0, "flagged": 0, "excluded": 0}
    by_category: dict[str, dict[str, int]] = {}
    for counts in days.values():
        for (category, status), count in counts.items():
            totals[status] = totals.get(status, 0) + count
            row = by_category.setdefault(category, {"counted": 0, "flagged": 0, "excluded": 0})
            row[status] = row.get(status, 0) + count
    run = results_run(session, campaign)
    return render_template(
        "leadership/dashboard.html",
        campaign=campaign,
        days=days,
        totals=totals,
        by_category=by_category,
        run=run,
        scoped=visible_unit_ids(current_user) is not None,
    )


@bp.get("/campaigns/<code>/activity.png")
@role_required("leader", "admin")
def activity_chart(code: str) -> Response:
    campaign = campaign_or_404(code)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    days = daily_counts(
        get_session(), campaign.id, zone, visible_target_ids(current_user, campaign.id)
    )
    span = day_range(min(days), max(days)) if days else []
    categories = sorted({category for counts in days.values() for category, _ in counts})
    series = {
        str(CATEGORY_LABELS.get(category, category)): [
            sum(n for (c, _s), n in days.get(day, {}).items() if c == category) for day in span
        ]
        for category in categories
    }
    png = daily_chart(
        [day.isoformat() for day in span],
        series,
        title=_("Responses per day"),
        axis_label=_("Responses"),
    )
    return _png(png)


@bp.get("/campaigns/<code>/ranking")
@role_required("leader", "admin")
def ranking(code: str) -> str:
    campaign = campaign_or_404(code)
    report = _report(campaign)
    level = request.args.get("level", "unit")
    if level not in LEVELS:
        abort(400)
    rows = ranked_rows(report, level) if report is not None else []
    units = sorted({(row.unit_id, row.unit_name) for row in rows if row.unit_id})
    unit = request.args.get("unit") or None
    if unit is not None:
        rows = [row for row in rows if row.unit_id == unit]
    sort = request.args.get("sort", "rank")
    if sort not in SORT_KEYS:
        abort(400)
    descending = request.args.get("order", "desc" if sort in ("composite", "n") else "asc")
    rows = _sorted(rows, sort, descending == "desc")
    return render_template(
        "leadership/ranking.html",
        campaign=campaign,
        report=report,
        level=level,
        levels=LEVELS,
        rows=rows,
        units=units,
        unit=unit,
        sort=sort,
        order=descending,
        run=results_run(get_session(), campaign),
        charts=_charts_with_content(report, level, rows),
    )


def _charts_with_content(report: ReportInput | None, level: str, rows: list) -> list[str]:
    """The charts that have something to show at `level` (no broken images)."""
    if report is None or not rows:
        return []
    kinds = []
    if any(row.composite is not None for row in rows):
        kinds.append("composite")
    if report.result.get("funnel", {}).get(level):
        kinds.append("funnel")
    if any(row.indicators for row in rows):
        kinds.append("indicators")
    if any(row.change is not None for row in rows):
        kinds.append("change")
    return kinds


def _sorted(rows: list, sort: str, descending: bool) -> list:
    """Rows in the order asked for; rows without the figure go last either way."""
    value = {
        "rank": lambda row: row.rank,
        "composite": lambda row: row.composite,
        "name": lambda row: row.name,
        "unit": lambda row: row.unit_name,
        "n": lambda row: row.n_total,
        "satisfaction": lambda row: row.satisfaction_rate,
        "change": lambda row: row.change,
    }[sort]
    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    return sorted(present, key=value, reverse=descending) + missing


@bp.get("/campaigns/<code>/charts/<level>/<kind>.png")
@role_required("leader", "admin")
def chart(code: str, level: str, kind: str) -> Response:
    campaign = campaign_or_404(code)
    if level not in LEVELS or kind not in CHARTS:
        abort(404)
    report = _report(campaign)
    png = CHARTS[kind](report, level) if report is not None else None
    if png is None:
        abort(404)
    return _png(png)


@bp.get("/campaigns/<code>/report.<any(pdf, xlsx, csv):fmt>")
@role_required("leader", "admin")
def report_download(code: str, fmt: str) -> Response:
    campaign = campaign_or_404(code)
    session = get_session()
    run = results_run(session, campaign)
    if run is None:
        abort(404)
    language = request.args.get("lang") or current_language()
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    unit_ids = visible_unit_ids(current_user)
    scope = "all" if unit_ids is None else f"unit{current_user.unit_id}"
    body = cached_report(
        campaign,
        run,
        fmt,
        language,
        scope,
        lambda: report_input(
            session, campaign, run, language=language, visible_keys=_visible_keys(campaign)
        ),
    )
    mimetype, _suffix = REPORT_FORMATS[fmt]
    return audited_download(
        body,
        mimetype,
        report_filename(campaign.code, run.id, run_is_final(campaign, run), fmt),
        object_type="campaign",
        object_id=campaign.id,
        what=f"report {fmt}",
        campaign=code,
        run=run.id,
        scope=scope,
    )


@bp.post("/campaigns/<code>/publish")
@role_required("leader", "admin")
@whole_bureau_required
def publish(code: str):
    session = get_session()
    begin_write(session)
    campaign = session.scalar(campaign_by_code(code).with_for_update())
    if campaign is None:
        abort(404)
    if campaign.status != "finalised":
        abort(409, _("Only a finalised campaign's league table can be published."))
    publishing = request.form.get("publish") == "1"
    campaign.league_published_at = utcnow() if publishing else None
    record(
        session,
        "campaign.publish" if publishing else "campaign.unpublish",
        user=current_user,
        object_type="campaign",
        object_id=campaign.id,
        details={"code": code},
    )
    session.commit()
    flash(
        _("The units' league table is public.")
        if publishing
        else _("The units' league table is no longer public.")
    )
    return redirect(url_for("leadership.ranking", code=code))


def _png(png: bytes) -> Response:
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})
