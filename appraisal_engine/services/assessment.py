"""A campaign's results for the people who act on them: which scoring run they are read
from, what the organisation knows about each target, and the ranked assessment report's
input (`reports.assessment.ReportInput`), cut down to what a viewer may see.

Every figure comes from the stored result of a scoring run; nothing is recomputed here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, get_translations
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from reports.assessment import ReportInput, TargetInfo

from ..models import (
    Answer,
    Cadre,
    Campaign,
    CampaignTarget,
    Indicator,
    Question,
    Response,
    ScoringRun,
    Unit,
)
from ..registry import category_labels, target_models
from .integrity import checked_run
from .scoring_runs import latest_run, run_declarations


def results_run(session: Session, campaign: Campaign) -> ScoringRun | None:
    """The run a campaign's results are read from: the frozen one once it is finalised,
    else the latest (provisional: the campaign may still change). Raises ResultTampered
    when its stored result does not match its hashes: a changed number is never shown."""
    frozen = session.scalar(
        select(ScoringRun)
        .where(ScoringRun.campaign_id == campaign.id, ScoringRun.frozen.is_(True))
        .order_by(ScoringRun.id.desc())
        .limit(1)
    )
    return checked_run(session, frozen or latest_run(session, campaign))


def run_is_final(campaign: Campaign, run: ScoringRun) -> bool:
    """Whether results read from `run` are final: it is the frozen run of a finalised
    campaign. Anything else is provisional (promotions and bonuses follow the final)."""
    return bool(run.frozen) and campaign.status == "finalised"


@dataclass(frozen=True)
class TargetPlace:
    """A campaign target and where it sits in the organisation."""

    target_id: int
    key: str
    kind: str
    subject_id: int
    name_zh: str
    name_en: str
    unit_id: int
    unit_code: str
    unit_name_zh: str
    unit_name_en: str

    def name(self, language: str) -> str:
        return (self.name_en if language == "en" else "") or self.name_zh

    def unit_name(self, language: str) -> str:
        return (self.unit_name_en if language == "en" else "") or self.unit_name_zh


def target_places(session: Session, campaign_id: int) -> dict[str, TargetPlace]:
    """The campaign's targets by key ("cadre:C007"), each with its unit (a unit's own)."""
    places: dict[str, TargetPlace] = {}
    owner = aliased(Unit)
    for target_model in target_models():
        kind, model, column = target_model.key, target_model.model, target_model.column
        unit_id = target_model.unit_column
        rows = session.execute(
            select(
                CampaignTarget.id,
                model.id,
                model.code,
                model.name_zh,
                model.name_en,
                owner.id,
                owner.code,
                owner.name_zh,
                owner.name_en,
            )
            .join(model, model.id == column)
            .join(owner, owner.id == unit_id)
            .where(CampaignTarget.campaign_id == campaign_id)
        )
        for target_id, subject_id, code, zh, en, *unit in rows:
            key = f"{kind}:{code}"
            places[key] = TargetPlace(target_id, key, kind, subject_id, zh, en or "", *unit)
    return places


def previous_campaign(session: Session, campaign: Campaign) -> Campaign | None:
    """The finalised campaign that ended last before this one started."""
    return session.scalar(
        select(Campaign)
        .where(
            Campaign.status == "finalised",
            Campaign.id != campaign.id,
            Campaign.ends_on < campaign.starts_on,
        )
        .order_by(Campaign.ends_on.desc(), Campaign.id.desc())
        .limit(1)
    )


def composites(run: ScoringRun | None) -> dict[str, float | None]:
    if run is None:
        return {}
    return {target["id"]: target["composite"] for target in json.loads(run.result_json)["targets"]}


def scoped_result(result: dict[str, Any], keys: Collection[str] | None) -> dict[str, Any]:
    """The result with only the targets in `keys` (everything when None), in the funnel
    too. Ranks, intervals and grades stay those of the whole campaign."""
    if keys is None:
        return result
    wanted = set(keys)
    funnel = {}
    for group, plot in result.get("funnel", {}).items():
        targets = {key: value for key, value in plot["targets"].items() if key in wanted}
        if targets:
            funnel[group] = {**plot, "targets": targets}
    return {
        **result,
        "targets": [target for target in result["targets"] if target["id"] in wanted],
        "funnel": funnel,
    }


def report_input(
    session: Session,
    campaign: Campaign,
    run: ScoringRun,
    *,
    language: str = "zh",
    visible_keys: Collection[str] | None = None,
    generated_at: datetime | None = None,
) -> ReportInput:
    """The ranked assessment report of `run`, in `language`, showing only the targets in
    `visible_keys` (everything when None); provisional or final by `run_is_final`, with
    the run's time in the bureau's time zone."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    declarations = run_declarations(run)
    places = target_places(session, campaign.id)
    previous = previous_campaign(session, campaign)
    indicator_names = {
        code: (en if language == "en" and en else zh)
        for code, zh, en in session.execute(
            select(Indicator.code, Indicator.name_zh, Indicator.name_en).where(
                Indicator.code.in_([i["id"] for i in declarations["indicators"]])
            )
        )
    }
    with force_locale(language):
        translations = get_translations()
        category_names = {
            category: str(category_labels().get(category, category))
            for category in declarations["params"]["categories"]
        }
    return ReportInput(
        result=scoped_result(json.loads(run.result_json), visible_keys),
        campaign_code=campaign.code,
        campaign_name=(campaign.name_en if language == "en" else "") or campaign.name_zh,
        period_start=campaign.starts_on,
        period_end=campaign.ends_on,
        generated_at=generated_at or datetime.now(zone),
        computed_at=run.created_at.astimezone(zone),
        run_id=run.id,
        input_sha256=run.input_sha256,
        result_sha256=run.result_sha256,
        params=declarations["params"],
        indicator_names=indicator_names,
        category_names=category_names,
        targets={
            key: TargetInfo(
                name=place.name(language),
                group=place.kind,
                unit_id=place.unit_code,
                unit_name=place.unit_name(language),
            )
            for key, place in places.items()
        },
        previous=composites(previous and results_run(session, previous)),
        translations=translations,
        status="final" if run_is_final(campaign, run) else "provisional",
    )


# A cadre's own results -------------------------------------------------------------


@dataclass
class CadreAppraisal:
    """One campaign in which a cadre is appraised, and what they may see of it.

    Scores are shown once the campaign is finalised (from its frozen run): provisional
    runs change as reviews are decided, and pay follows only the final one."""

    campaign: Campaign
    target_id: int
    key: str
    #: Counted responses that count for the cadre: their own, and those at a window that
    #: name them as the one who served.
    counted: int
    run: ScoringRun | None = None
    #: The cadre's entry in the run's result.
    result: dict[str, Any] | None = None
    #: The run's params (SCORING.md §2), to explain the figures.
    params: dict[str, Any] | None = None
    #: Rated targets of the cadre's group (the N of "5th of N").
    rated_in_group: int = 0

    @property
    def final(self) -> bool:
        return self.result is not None

    @property
    def percentile(self) -> int | None:
        """The share (%) of the other rated cadres ranked below this one."""
        if not self.result or self.result["rank"] is None or self.rated_in_group < 2:
            return None
        below = self.rated_in_group - self.result["rank"]
        return round(100 * below / (self.rated_in_group - 1))


def _counted_for_cadre(cadre_id: int, campaign_id: int, target_id: int) -> Any:
    return (Response.campaign_id == campaign_id) & (
        (Response.campaign_target_id == target_id) | (Response.served_by_cadre_id == cadre_id)
    )


def cadre_appraisals(session: Session, cadre: Cadre) -> list[CadreAppraisal]:
    """The campaigns appraising `cadre`, newest first, with their final results."""
    found = []
    rows = session.execute(
        select(CampaignTarget.id, Campaign)
        .join(Campaign, CampaignTarget.campaign_id == Campaign.id)
        .where(CampaignTarget.cadre_id == cadre.id, Campaign.status != "draft")
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    ).all()
    for target_id, campaign in rows:
        counted = session.scalar(
            select(func.count()).where(
                _counted_for_cadre(cadre.id, campaign.id, target_id),
                Response.status == "counted",
            )
        )
        appraisal = CadreAppraisal(campaign, target_id, f"cadre:{cadre.code}", counted or 0)
        if campaign.status == "finalised":
            run = results_run(session, campaign)
            if run is not None and run.frozen:
                targets = json.loads(run.result_json)["targets"]
                mine = next((t for t in targets if t["id"] == appraisal.key), None)
                if mine is not None:
                    appraisal.run = run
                    appraisal.result = mine
                    appraisal.params = run_declarations(run)["params"]
                    appraisal.rated_in_group = sum(
                        1 for t in targets if t["group"] == mine["group"] and t["rank"] is not None
                    )
        found.append(appraisal)
    return found


@dataclass(frozen=True)
class CompositeTerms:
    """How a composite is made, for a person to follow: the sufficient categories with
    their weights and scores, the weight they carry and the share needed to be rated."""

    terms: list[tuple[str, float, float]]  # (category, weight, score)
    left_out: list[tuple[str, int, int]]  # (category, n, responses needed)
    carried: float  # W_K
    total: float  # Σ w over all categories
    needed: float  # min_weight_share · Σ w


def composite_terms(appraisal: CadreAppraisal) -> CompositeTerms:
    """From the stored result and the run's params (SCORING.md §3); nothing recomputed
    but the sums of weights the page shows."""
    params = appraisal.params or {}
    categories = params.get("categories", {})
    mine = (appraisal.result or {}).get("categories", {})
    terms, left_out = [], []
    for category, spec in categories.items():
        entry = mine.get(category, {"n": 0, "sufficient": False, "score": None})
        if entry["sufficient"]:
            terms.append((category, spec["weight"], entry["score"]))
        else:
            left_out.append((category, entry["n"], max(2, spec.get("min_responses", 0))))
    total = sum(spec["weight"] for spec in categories.values())
    return CompositeTerms(
        terms=terms,
        left_out=left_out,
        carried=sum(weight for _, weight, _ in terms),
        total=total,
        needed=params.get("min_weight_share", 0.5) * total,
    )


@dataclass(frozen=True)
class Comment:
    day: Any
    text: str


_LONG_NUMBER = re.compile(r"[0-9０-９][0-9０-９ \-]{5,}[0-9０-９]")


def cadre_comments(
    session: Session, cadre: Cadre, appraisal: CadreAppraisal, minimum: int
) -> list[Comment] | None:
    """Comments written in counted responses about the cadre, or None when fewer than
    `minimum` responses stand behind them or the campaign still takes responses (a
    comment seen as it arrives points at the person just served).

    Only the text and the day: no time, no respondent data; numbers that look like a
    phone number are masked; ordered by day, then text, so the order tells nothing."""
    if appraisal.campaign.status not in ("closed", "finalised") or appraisal.counted < minimum:
        return None
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    rows = session.execute(
        select(Response.submitted_at, Answer.value_text)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            _counted_for_cadre(cadre.id, appraisal.campaign.id, appraisal.target_id),
            Response.status == "counted",
            Question.type == "comment",
            Answer.value_text.is_not(None),
            Answer.value_text != "",
        )
    ).all()
    comments = [
        Comment(submitted.astimezone(zone).date(), _LONG_NUMBER.sub("****", text.strip()))
        for submitted, text in rows
        if text.strip()
    ]
    return sorted(comments, key=lambda comment: (comment.day, comment.text))
