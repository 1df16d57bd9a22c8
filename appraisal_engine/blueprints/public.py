"""Pages anyone may open without signing in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template

from reports.assessment import ranked_rows, satisfaction_category

from ..db import get_database, get_session
from ..queries.campaigns import campaign_by_code
from ..services.assessment import report_input, results_run
from ..services.health import database_problem
from ..templating import current_language

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    return render_template("public/index.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: the site's SVG icon, from
    memory (a browser often drops this request as it moves on: no file is left open)."""
    response = current_app.response_class(_favicon(), mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response


@cache
def _favicon() -> bytes:
    return (Path(__file__).parents[1] / "static" / "favicon.svg").read_bytes()


@bp.get("/healthz")
def healthz():
    """200 when the database takes a write within HEALTH_TIMEOUT_SECONDS, else 503 with
    Retry-After (services.health); no session, no sign-in."""
    config = current_app.config
    problem = database_problem(
        get_database().engine,
        config["HEALTH_TIMEOUT_SECONDS"],
        config["DATABASE_LOCK_TIMEOUT_SECONDS"],
        min_room=int(config["HEALTH_MIN_FREE_MB"] * 1024 * 1024),
    )
    response = jsonify(status="error" if problem else "ok", database=problem or "ok")
    response.headers["Cache-Control"] = "no-store"
    if problem:
        response.status_code = 503
        response.headers["Retry-After"] = str(config["RETRY_AFTER_SECONDS"])
    return response


@bp.get("/public/<code>")
def league_table(code: str) -> str:
    """A finalised campaign's league table of units, once leadership published it:
    never service points' or cadres' results."""
    session = get_session()
    campaign = session.scalar(campaign_by_code(code))
    if campaign is None or campaign.status != "finalised" or campaign.league_published_at is None:
        abort(404)
    run = results_run(session, campaign)
    if run is None or not run.frozen:
        abort(404)
    report = report_input(session, campaign, run, language=current_language())
    return render_template(
        "public/league_table.html",
        campaign=campaign,
        run=run,
        rows=ranked_rows(report, "unit"),
        satisfied_threshold=report.params.get("satisfied_threshold", 60),
        satisfaction_category=satisfaction_category(report),
    )
