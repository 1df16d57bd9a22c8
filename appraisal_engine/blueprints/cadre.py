"""A cadre's own page. A cadre only ever sees their own data."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..db import get_session
from ..queries.campaigns import counted_responses_per_target, targets_of_cadre
from .access import role_required

bp = Blueprint("cadre", __name__)


@bp.get("/")
@role_required("cadre")
def index() -> str:
    session = get_session()
    cadre = current_user.cadre
    appraisals = session.execute(targets_of_cadre(cadre.id)).all()
    counts = dict(
        session.execute(counted_responses_per_target([t.id for t, _ in appraisals])).all()
    )
    return render_template("cadre/index.html", cadre=cadre, appraisals=appraisals, counts=counts)
