"""Leadership: campaigns as they run, and their results."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from scoring import ScoringInputError
from scoring.documents import input_pieces

from ..db import begin_write, get_session
from ..models import ScoringRun
from ..queries.campaigns import campaign_by_code, campaigns_newest_first, response_counts
from ..services.integrity import ResultTampered, run_problems
from ..services.scoring_runs import run_scoring
from .access import (
    campaign_or_404,
    role_required,
    visible_target_ids,
    whole_bureau_required,
)
from .downloads import audited_download

bp = Blueprint("leadership", __name__)


@bp.get("/")
@role_required("leader", "admin")
def index() -> str:
    session = get_session()
    campaigns = session.scalars(campaigns_newest_first()).all()
    # A leader scoped to a unit counts only the responses to their subtree's targets.
    counts = {
        c.id: response_counts(session, c.id, visible_target_ids(current_user, c.id))
        for c in campaigns
    }
    return render_template("leadership/index.html", campaigns=campaigns, counts=counts)


@bp.get("/campaigns/<code>/scoring")
@role_required("leader", "admin")
def scoring(code: str) -> str:
    campaign = campaign_or_404(code)
    runs = (
        get_session()
        .scalars(
            select(ScoringRun)
            .where(ScoringRun.campaign_id == campaign.id)
            .order_by(ScoringRun.created_at.desc(), ScoringRun.id.desc())
        )
        .all()
    )
    summaries = {run.id: run_summary(run) for run in runs}
    return render_template(
        "leadership/scoring.html", campaign=campaign, runs=runs, summaries=summaries
    )


def run_summary(run: ScoringRun) -> dict[str, int]:
    """How many targets a run scored, and how many of them it rated."""
    targets = json.loads(run.result_json)["targets"]
    return {
        "targets": len(targets),
        "rated": sum(1 for target in targets if target["status"] == "rated"),
    }


def store_scoring_run(code: str) -> ScoringRun:
    """Score the campaign of `code` now, as the signed-in user, in one transaction, and
    say so; 404 for no such campaign, 409 when it is finalised or cannot be scored. The
    leadership's and the administration's scoring pages both run it."""
    session = get_session()
    begin_write(session)
    campaign = session.scalar(campaign_by_code(code).with_for_update())
    if campaign is None:
        abort(404)
    if campaign.status == "finalised":
        abort(409, _("The campaign is finalised: its results are frozen."))
    try:
        run = run_scoring(session, campaign, user=current_user)
    except ScoringInputError as error:
        session.rollback()
        abort(409, _("The campaign cannot be scored: %(reason)s", reason=error.described(_)))
    session.commit()
    flash(_("Scoring run %(number)s is stored.", number=run.id))
    return run


@bp.post("/campaigns/<code>/scoring")
@role_required("leader", "admin")
@whole_bureau_required
def scoring_run(code: str):
    store_scoring_run(code)
    return redirect(url_for("leadership.scoring", code=code))


@bp.get("/campaigns/<code>/scoring/<int:run_id>/<any(input, result):what>.json")
@role_required("leader", "admin")
@whole_bureau_required
def scoring_download(code: str, run_id: int, what: str):
    campaign = campaign_or_404(code)
    session = get_session()
    run = session.get(ScoringRun, run_id)
    if run is None or run.campaign_id != campaign.id:
        abort(404)
    problems = run_problems(session, run, with_input=what == "input")
    if problems:
        raise ResultTampered(run, problems)
    body = input_pieces(run.input_gzip) if what == "input" else run.result_json
    return audited_download(
        body,
        "application/json",
        f"{code}-run{run_id}-{what}.json",
        object_type="scoring_run",
        object_id=run_id,
        what=f"scoring {what}",
        campaign=code,
    )
