"""A campaign's scoring step in the administration: its latest run, a button to run the
scoring (the same use case as the leadership's page) and the way on to finalising."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from ...db import get_session
from ...services import campaigns as service
from ...services.scoring_runs import latest_run
from ..access import campaign_or_404, role_required
from ..leadership import run_summary, store_scoring_run
from .blueprint import bp


@bp.get("/campaigns/<code>/scoring")
@role_required("admin")
def campaign_scoring(code: str) -> str:
    campaign = campaign_or_404(code)
    run = latest_run(get_session(), campaign)
    return render_template(
        "admin/campaigns/scoring.html",
        campaign=campaign,
        run=run,
        summary=run_summary(run) if run else None,
        next_status=service.NEXT_STATUS,
    )


@bp.post("/campaigns/<code>/scoring")
@role_required("admin")
def campaign_scoring_run(code: str) -> Response:
    store_scoring_run(code)
    return redirect(url_for("admin.campaign_scoring", code=code))
