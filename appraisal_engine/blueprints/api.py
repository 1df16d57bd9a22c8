"""JSON API for scripts and dashboards; the same roles as the pages."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from werkzeug.wrappers import Response

from ..db import get_session
from ..queries.campaigns import campaign_by_code, response_counts
from .access import role_required

bp = Blueprint("api", __name__)


@bp.get("/campaigns/<code>/status")
@role_required("leader", "admin")
def campaign_status(code: str) -> Response:
    """Response counts of a campaign, as `appraisal campaign-status --json` prints them."""
    session = get_session()
    campaign = session.scalar(campaign_by_code(code))
    if campaign is None:
        abort(404)
    counts = response_counts(session, campaign.id)
    counts["by_target"] = {str(k): v for k, v in counts["by_target"].items()}
    return jsonify(campaign=campaign.code, status=campaign.status, **counts)
