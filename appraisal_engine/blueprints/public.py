"""Pages anyone may open without signing in."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from reports.assessment import ranked_rows, satisfaction_category

from ..db import get_database, get_session
from ..queries.campaigns import campaign_by_code
from ..services.assessment import report_input, results_run
from ..templating import current_language

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    return render_template("public/index.html")


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not; no session, no sign-in."""
    try:
        with get_database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


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
