"""JSON API for scripts and dashboards; the same roles as the pages."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from werkzeug.wrappers import Response

from ..db import get_session
from ..queries import campaigns as campaign_queries
from .access import role_required, whole_bureau_required

bp = Blueprint("api", __name__)


@bp.get("/campaigns/<code>/status")
@role_required("leader", "admin")
@whole_bureau_required
def campaign_status(code: str) -> Response:
    """Response counts of a campaign, as `appraisal campaign-status --json` prints them."""
    session = get_session()
    campaign = session.scalar(campaign_queries.campaign_by_code(code))
    if campaign is None:
        abort(404)
    return jsonify(campaign_queries.campaign_status(session, campaign))
