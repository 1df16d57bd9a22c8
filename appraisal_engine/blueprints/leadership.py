"""Leadership: campaigns as they run, and their results."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..db import get_session
from ..queries.campaigns import campaigns_newest_first, response_counts
from .access import role_required

bp = Blueprint("leadership", __name__)


@bp.get("/")
@role_required("leader", "admin")
def index() -> str:
    session = get_session()
    campaigns = session.scalars(campaigns_newest_first()).all()
    counts = {c.id: response_counts(session, c.id) for c in campaigns}
    return render_template("leadership/index.html", campaigns=campaigns, counts=counts)
