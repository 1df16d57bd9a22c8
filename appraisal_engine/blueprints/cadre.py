"""A cadre's own page. A cadre only ever sees their own data: no route here takes a
cadre's id; everything is read for the signed-in cadre."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from reports.timeline import TrendPoint, trend_chart

from ..db import get_session
from ..models import Indicator
from ..services.assessment import (
    CadreAppraisal,
    cadre_appraisals,
    cadre_comments,
    composite_terms,
)
from ..templating import localized
from .access import role_required

bp = Blueprint("cadre", __name__)


@bp.get("/")
@role_required("cadre")
def index() -> str:
    cadre = current_user.cadre
    appraisals = cadre_appraisals(get_session(), cadre)
    latest = next((a for a in appraisals if a.final), None)
    return render_template(
        "cadre/index.html",
        cadre=cadre,
        appraisals=appraisals,
        latest=latest,
        trend=sum(1 for a in appraisals if a.final) >= 2,
    )


@bp.get("/campaigns/<code>")
@role_required("cadre")
def campaign(code: str) -> str:
    session = get_session()
    cadre = current_user.cadre
    appraisal = _appraisal(code)
    minimum = current_app.config["COMMENTS_MIN_RESPONSES"]
    explanation = composite_terms(appraisal) if appraisal.final else None
    codes = list(appraisal.result["indicators"]) if appraisal.final else []
    indicators = session.scalars(select(Indicator).where(Indicator.code.in_(codes))).all()
    return render_template(
        "cadre/campaign.html",
        cadre=cadre,
        appraisal=appraisal,
        result=appraisal.result,
        params=appraisal.params,
        explanation=explanation,
        indicator_names={i.code: localized(i, "name") for i in indicators},
        comments=cadre_comments(session, cadre, appraisal, minimum),
        comments_minimum=minimum,
    )


@bp.get("/trend.png")
@role_required("cadre")
def trend() -> Response:
    appraisals = [a for a in cadre_appraisals(get_session(), current_user.cadre) if a.final]
    points = [
        TrendPoint(
            localized(a.campaign, "name"),
            a.result["composite"],
            tuple(a.result["ci"]) if a.result["ci"] else None,
        )
        for a in reversed(appraisals)
    ]
    png = trend_chart(points, title=_("Composite score by campaign"), axis_label=_("Composite"))
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


def _appraisal(code: str) -> CadreAppraisal:
    """The signed-in cadre's appraisal in campaign `code`; 404 when they have none there."""
    for appraisal in cadre_appraisals(get_session(), current_user.cadre):
        if appraisal.campaign.code == code:
            return appraisal
    abort(404)
