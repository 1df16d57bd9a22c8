"""Scoring a campaign: the scoring input built from the database (SCORING.md §2), the
result computed by `scoring`, both stored as a ScoringRun an auditor can download and
recompute byte for byte with `python -m scoring run`.

The database does the heavy work: one query per respondent category turns the counted
responses into rows of points, one column per scored question (a pivot in SQL, no ORM
objects per response). Which responses count for which targets:
- a response counts for the target it was given to;
- a response to a service window also counts for the window's unit, when that unit is a
  target of the campaign (DESIGN.md: a response to a service point counts towards its
  unit);
- a resident's response at a window that names the cadre who served them also counts for
  that cadre, when the cadre is a target of the campaign.
Each such copy is a response of its own in the document, with an id of its own
("r123", "r123@unit:U01", "r123@cadre:C007").
Only counted responses go in: flagged ones wait for review, excluded ones never count.
Categories without a questionnaire or with weight 0 collect answers but are not scored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from scoring import canonical_json, dumps_result, score_arrays

from ..models import (
    Answer,
    Campaign,
    CampaignTarget,
    Indicator,
    Question,
    QuestionnaireVersion,
    Response,
    ScoringRun,
    ServicePoint,
    User,
    VersionIndicator,
)
from ..queries.campaigns import target_subjects
from .audit import record

FORMAT = "appraisal-scoring-input/1"


@dataclass
class ScoringData:
    """A campaign's scoring input: the declarations as the document has them, and the
    responses as arrays (row r: `response_ids[r]`, `target_index[r]` into `targets`,
    `category_index[r]` into the params' categories, `points[r, j]` for `questions[j]`,
    NaN for null)."""

    campaign: dict[str, str]
    params: dict[str, Any]
    indicators: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    response_ids: list[str]
    target_index: np.ndarray
    category_index: np.ndarray
    points: np.ndarray

    def document(self) -> dict[str, Any]:
        """The scoring input document (SCORING.md §2)."""
        question_ids = [question["id"] for question in self.questions]
        category_names = list(self.params["categories"])
        target_ids = [target["id"] for target in self.targets]
        responses = []
        for row, response_id in enumerate(self.response_ids):
            values = self.points[row]
            responses.append(
                {
                    "id": response_id,
                    "target": target_ids[self.target_index[row]],
                    "category": category_names[self.category_index[row]],
                    "points": {
                        question_ids[j]: float(value)
                        for j, value in enumerate(values)
                        if not np.isnan(value)
                    },
                }
            )
        return {
            "format": FORMAT,
            "campaign": self.campaign,
            "params": self.params,
            "indicators": self.indicators,
            "questions": self.questions,
            "targets": self.targets,
            "responses": responses,
        }


def _params(campaign: Campaign, categories: dict[str, dict[str, Any]]) -> dict[str, Any]:
    funnel = campaign.funnel_category
    if funnel not in categories and categories:
        funnel = next(iter(categories))
    return {
        "categories": categories,
        "min_weight_share": campaign.min_weight_share,
        "aggregate": campaign.aggregate,
        "trim": campaign.trim_fraction,
        "prior_strength": campaign.prior_strength,
        "satisfied_threshold": campaign.satisfied_threshold,
        "confidence": campaign.confidence,
        "grades": {
            "fail_below": campaign.fail_below,
            "basic_below": campaign.basic_below,
            "excellent_min": campaign.excellent_min,
            "excellent_quota": campaign.excellent_quota,
        },
        "bonus": {
            "coefficients": {
                "excellent": campaign.bonus_excellent,
                "competent": campaign.bonus_competent,
                "basic": campaign.bonus_basic,
                "incompetent": campaign.bonus_incompetent,
            },
            "pool": campaign.bonus_pool,
        },
        "funnel_category": funnel,
    }


def _targets(session: Session, campaign: Campaign) -> tuple[list[dict[str, Any]], dict]:
    """The targets as the document declares them (units, service points, cadres, each by
    code), and their places by campaign target id and by (kind, subject id)."""
    subjects = target_subjects(session, campaign.id)
    targets = [{"id": s.key, "name": s.name_zh, "group": s.kind, "veto": s.veto} for s in subjects]
    by_target_id = {s.target_id: index for index, s in enumerate(subjects)}
    by_subject = {(s.kind, s.subject_id): index for index, s in enumerate(subjects)}
    return targets, {"target": by_target_id, "subject": by_subject}


def _indicators(session: Session, campaign: Campaign, version_ids: list[int]) -> list[dict]:
    if campaign.indicator_weights:
        weights = [(row.indicator.code, row.weight) for row in campaign.indicator_weights]
    else:
        weights = []
        seen: set[str] = set()
        for version_id in version_ids:
            for code, weight in session.execute(
                select(Indicator.code, VersionIndicator.weight)
                .join(Indicator, Indicator.id == VersionIndicator.indicator_id)
                .where(VersionIndicator.version_id == version_id)
                .order_by(VersionIndicator.position)
            ):
                if code not in seen:
                    seen.add(code)
                    weights.append((code, weight))
    return [{"id": code, "weight": weight} for code, weight in sorted(weights)]


def scoring_data(session: Session, campaign: Campaign) -> ScoringData:
    """The scoring input of `campaign` from its counted responses (see the module)."""
    # In the order of their names: the stored document is canonical JSON (keys sorted),
    # and a category's place in params["categories"] orders the result's categories.
    used = {
        row.category: row
        for row in sorted(campaign.categories, key=lambda row: row.category)
        if row.weight > 0
    }
    categories = {
        category: {"weight": row.weight, "min_responses": row.min_responses}
        for category, row in used.items()
    }
    targets, lookup = _targets(session, campaign)
    unit_of_point = dict(session.execute(select(ServicePoint.id, ServicePoint.unit_id)).all())
    kind_of_target = dict(
        session.execute(
            select(CampaignTarget.id, CampaignTarget.service_point_id).where(
                CampaignTarget.campaign_id == campaign.id
            )
        ).all()
    )
    questions: list[dict[str, Any]] = []
    response_ids: list[str] = []
    target_rows: list[int] = []
    category_rows: list[int] = []
    blocks: list[tuple[int, int, np.ndarray]] = []  # (first column, rows, points)
    version_ids: list[int] = []
    for category_number, category in enumerate(used):
        scored = session.execute(
            select(Question.id, Question.key, Question.weight, Indicator.code, QuestionnaireVersion)
            .join(Indicator, Indicator.id == Question.indicator_id)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
            .where(
                # The category's questionnaire, and any other version its responses answered.
                (Question.version_id == used[category].questionnaire_version_id)
                | Question.version_id.in_(
                    select(Response.questionnaire_version_id)
                    .where(
                        Response.campaign_id == campaign.id,
                        Response.category == category,
                        Response.status == "counted",
                    )
                    .distinct()
                )
            )
            .order_by(QuestionnaireVersion.id, Question.position)
        ).all()
        first_column = len(questions)
        for _question_id, key, weight, indicator, version in scored:
            if version.id not in version_ids:
                version_ids.append(version.id)
            questions.append(
                {
                    "id": f"{version.questionnaire.code}.v{version.number}.{key}",
                    "indicator": indicator,
                    "weight": weight,
                }
            )
        columns = [
            func.max(case((Answer.question_id == question_id, Answer.points))).label(f"p{j}")
            for j, (question_id, *_rest) in enumerate(scored)
        ]
        rows = session.execute(
            select(Response.id, Response.campaign_target_id, Response.served_by_cadre_id, *columns)
            .outerjoin(Answer, and_(Answer.response_id == Response.id, Answer.points.is_not(None)))
            .where(
                Response.campaign_id == campaign.id,
                Response.category == category,
                Response.status == "counted",
            )
            .group_by(Response.id, Response.campaign_target_id, Response.served_by_cadre_id)
            .order_by(Response.id)
        ).all()
        values = np.array(
            [[np.nan if p is None else p for p in row[3:]] for row in rows], dtype=np.float64
        ).reshape(len(rows), len(scored))
        copies: list[int] = []
        for position, (response_id, target_id, served_by, *_points) in enumerate(rows):
            own = lookup["target"][target_id]
            response_ids.append(f"r{response_id}")
            target_rows.append(own)
            copies.append(position)
            point = kind_of_target.get(target_id)
            extra = []
            if point is not None:
                extra.append(lookup["subject"].get(("unit", unit_of_point.get(point))))
                if served_by is not None:
                    extra.append(lookup["subject"].get(("cadre", served_by)))
            for index in extra:
                if index is not None:
                    response_ids.append(f"r{response_id}@{targets[index]['id']}")
                    target_rows.append(index)
                    copies.append(position)
        category_rows += [category_number] * len(copies)
        blocks.append((first_column, len(scored), values[copies] if copies else values[:0]))
    points = np.full((len(response_ids), len(questions)), np.nan)
    row = 0
    for first_column, width, block in blocks:
        points[row : row + len(block), first_column : first_column + width] = block
        row += len(block)
    return ScoringData(
        campaign={"code": campaign.code, "name": campaign.name_zh},
        params=_params(campaign, categories),
        indicators=_indicators(session, campaign, version_ids),
        questions=questions,
        targets=targets,
        response_ids=response_ids,
        target_index=np.array(target_rows, dtype=np.int64),
        category_index=np.array(category_rows, dtype=np.int64),
        points=points,
    )


def input_text(data: ScoringData) -> str:
    """The input document as stored and exported: canonical JSON (its SHA-256 is the
    result's `input_sha256`)."""
    return canonical_json(data.document()).decode("utf-8")


def run_scoring(
    session: Session, campaign: Campaign, *, user: User | None = None, actor: str | None = None
) -> ScoringRun:
    """Score `campaign` and add the run (input, result, their SHA-256, who, when) and an
    audit entry to `session`; the caller commits. A finalised campaign is frozen."""
    if campaign.status == "finalised":
        raise ValueError("the campaign is finalised: its results are frozen")
    data = scoring_data(session, campaign)
    stored_input = input_text(data)
    sha = hashlib.sha256(stored_input.encode("utf-8")).hexdigest()
    result = score_arrays(
        data.params,
        data.indicators,
        data.questions,
        data.targets,
        data.target_index,
        data.category_index,
        data.points,
        input_sha256=sha,
    )
    result_text = dumps_result(result)
    run = ScoringRun(
        campaign_id=campaign.id,
        input_json=stored_input,
        result_json=result_text,
        input_sha256=sha,
        result_sha256=hashlib.sha256(result_text.encode("utf-8")).hexdigest(),
        created_by_id=user.id if user is not None else None,
    )
    session.add(run)
    session.flush()
    record(
        session,
        "scoring.run",
        user=user,
        actor=actor,
        object_type="scoring_run",
        object_id=run.id,
        details={
            "campaign": campaign.code,
            "input_sha256": sha,
            "result_sha256": run.result_sha256,
            "responses": len(data.response_ids),
        },
    )
    return run


def latest_run(session: Session, campaign: Campaign) -> ScoringRun | None:
    return session.scalar(
        select(ScoringRun)
        .where(ScoringRun.campaign_id == campaign.id)
        .order_by(ScoringRun.created_at.desc(), ScoringRun.id.desc())
        .limit(1)
    )


def result_of(run: ScoringRun) -> dict[str, Any]:
    return json.loads(run.result_json)
