"""The administrator's home page."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from ...db import get_session
from ...models import Cadre, Questionnaire, ServicePoint, Unit, User
from ...queries.campaigns import campaigns_newest_first
from ..access import role_required
from .blueprint import bp


@bp.get("/")
@role_required("admin")
def index() -> str:
    session = get_session()
    totals = {
        label: session.scalar(select(func.count()).select_from(model))
        for label, model in (
            ("units", Unit),
            ("service_points", ServicePoint),
            ("cadres", Cadre),
            ("questionnaires", Questionnaire),
            ("users", User),
        )
    }
    campaigns = session.scalars(campaigns_newest_first()).all()
    return render_template("admin/index.html", totals=totals, campaigns=campaigns)
