"""Scoring runs: a campaign's scoring input (`services.scoring_input`) scored by
`scoring`, both stored as a ScoringRun an auditor can download and recompute byte for byte
with `python -m scoring run`. The stored documents are written and read by
`scoring.documents` (the input packed as gzip, the result as `scoring.dumps_result`'s text).

The scoring engine loads when a campaign is first scored, not when the app imports this
module (every worker does, through the services that ask for a campaign's latest run).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring import dumps_result
from scoring.documents import input_declarations, load_result, pack_input

from ..models import Campaign, ScoringRun, User
from .audit import record
from .scoring_input import scoring_data


def run_declarations(run: ScoringRun) -> dict[str, Any]:
    """The declarations (campaign, format, indicators, params, questions) of a run's
    stored input, read from its head (`scoring.documents.input_declarations`)."""
    return input_declarations(run.input_gzip)


def run_scoring(
    session: Session,
    campaign: Campaign,
    *,
    user: User | None = None,
    actor: str | None = None,
    timings: dict[str, float] | None = None,
) -> ScoringRun:
    """Score `campaign` and add the run (input, result, their SHA-256, who, when) and an
    audit entry to `session`; the caller commits. A finalised campaign is frozen.

    `timings`, when given, receives the seconds spent reading, scoring, serialising and
    storing (the benchmark's split)."""
    from scoring import score_arrays

    if campaign.status == "finalised":
        raise ValueError("the campaign is finalised: its results are frozen")
    clock = _Stopwatch(timings)
    data = scoring_data(session, campaign)
    clock.lap("reading")
    sha, packed_input = pack_input(data)
    clock.lap("serialising")
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
    clock.lap("scoring")
    result_text = dumps_result(result)
    result_sha = hashlib.sha256(result_text.encode("utf-8")).hexdigest()
    clock.lap("serialising")
    run = ScoringRun(
        campaign_id=campaign.id,
        input_gzip=packed_input,
        result_json=result_text,
        input_sha256=sha,
        result_sha256=result_sha,
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
    clock.lap("storing")
    return run


class _Stopwatch:
    """Adds the seconds since the last lap to `timings[name]` (nothing when None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def latest_run(session: Session, campaign: Campaign) -> ScoringRun | None:
    return session.scalar(
        select(ScoringRun)
        .where(ScoringRun.campaign_id == campaign.id)
        .order_by(ScoringRun.created_at.desc(), ScoringRun.id.desc())
        .limit(1)
    )


def result_of(run: ScoringRun) -> dict[str, Any]:
    return load_result(run.result_json)
