"""From a validated input to the result document (`appraisal-scoring-result/1`,
SCORING.md §4): response scores, category statistics, composites, ranks, grades, bonus
and funnel, assembled target by target."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from . import registry
from .aggregate import CategoryStatistics, category_statistics
from .grading import bonus_amounts, grades, weight_share_met
from .inputs import ScoringInput, validate, validate_arrays
from .points import indicator_scores, response_scores
from .ranking import rank_intervals, rank_order
from .rounding import r
from .uncertainty import (
    FUNNEL_Z95,
    FUNNEL_Z998,
    funnel_limits,
    normal_quantile,
    wilson_interval,
)

RESULT_FORMAT = "appraisal-scoring-result/1"
#: The category whose score breaks ties between equal composites.
RESIDENTS = registry.RESIDENTS


def _sum(values: Iterable[float]) -> float:
    """Σ values added left to right (the order is part of the specification of the bits)."""
    total = 0.0
    for value in values:
        total += value
    return total


def _number(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _interval(low: float, high: float) -> list[float] | None:
    if math.isnan(low) or math.isnan(high):
        return None
    return [float(low), float(high)]


def score(document_or_input: Any) -> dict[str, Any]:
    """The result document of a scoring input: a parsed JSON document (validated first;
    `ScoringInputError` when refused) or a `ScoringInput`."""
    if isinstance(document_or_input, ScoringInput):
        return evaluate(document_or_input)
    return evaluate(validate(document_or_input))


def score_arrays(
    params: Any,
    indicators: Any,
    questions: Any,
    targets: Any,
    response_target_index: Any,
    response_category_index: Any,
    points_matrix: Any,
    *,
    input_sha256: str | None = None,
) -> dict[str, Any]:
    """The result document from arrays, without a JSON document of the responses.

    `params`, `indicators`, `questions`, `targets` are as in the input document (plain
    dicts and lists); response r is row r of the arrays: `response_target_index[r]` indexes
    `targets`, `response_category_index[r]` indexes the categories in the order of
    `params["categories"]` (the defaults' order when absent), and `points_matrix[r, j]` holds
    the points for `questions[j]`, NaN for null. `input_sha256` is copied into the result
    (None when not given). For the same input this returns exactly what `score` returns.
    """
    return evaluate(
        validate_arrays(
            params,
            indicators,
            questions,
            targets,
            response_target_index,
            response_category_index,
            points_matrix,
            input_sha256=input_sha256,
        )
    )


def evaluate(data: ScoringInput) -> dict[str, Any]:
    """The result document of a validated input."""
    params = data.params
    categories = params.categories
    category_ids = [category.id for category in categories]
    indicator_ids = [indicator.id for indicator in data.indicators]
    targets = data.targets
    n_targets = len(targets)

    indicator_index = {identifier: i for i, identifier in enumerate(indicator_ids)}
    per_indicator = indicator_scores(
        data.points,
        [indicator_index[question.indicator] for question in data.questions],
        [question.weight for question in data.questions],
        len(indicator_ids),
    )
    scores = response_scores(per_indicator, [indicator.weight for indicator in data.indicators])

    groups: list[str] = []
    group_index: dict[str, int] = {}
    for target in targets:
        if target.group not in group_index:
            group_index[target.group] = len(groups)
            groups.append(target.group)
    target_group = np.array([group_index[target.group] for target in targets], dtype=np.int64)
    by_id = sorted(range(n_targets), key=lambda t: targets[t].id)
    target_order = np.empty(n_targets, dtype=np.int64)
    target_order[by_id] = np.arange(n_targets)

    stats = category_statistics(
        scores,
        per_indicator,
        data.response_target_index,
        data.response_category_index,
        n_targets=n_targets,
        n_categories=len(categories),
        target_order=target_order,
        target_group=target_group,
        n_groups=len(groups),
        aggregate=params.aggregate,
        trim=params.trim,
        prior_strength=params.prior_strength,
        confidence=params.confidence,
        satisfied_threshold=params.satisfied_threshold,
        revision=params.revision,
    )
    z = normal_quantile(params.confidence)
    needed = np.array([max(2, category.min_responses) for category in categories])
    sufficient = stats.n >= needed[np.newaxis, :]
    satisfaction_low, satisfaction_high = wilson_interval(stats.satisfied, stats.n, z)

    entries = [
        _target_entry(t, data, stats, sufficient, satisfaction_low, satisfaction_high, z)
        for t in range(n_targets)
    ]

    ordered: list[dict[str, Any]] = []
    funnel: dict[str, Any] = {}
    funnel_category = category_ids.index(params.funnel_category)
    residents = category_ids.index(RESIDENTS) if RESIDENTS in category_ids else None
    members_of: list[list[int]] = [[] for _ in groups]
    for t in by_id:
        members_of[target_group[t]].append(t)
    for group, members in zip(groups, members_of, strict=True):
        rated = [t for t in members if entries[t]["status"] == "rated"]
        _rank_group(rated, entries, data, stats, sufficient, residents, z)
        rated.sort(key=lambda t: entries[t]["rank"])
        ordered.extend(entries[t] for t in rated)
        ordered.extend(entries[t] for t in members if entries[t]["status"] != "rated")
        group_funnel = _funnel(members, data, stats, funnel_category)
        if group_funnel is not None:
            funnel[group] = group_funnel

    return {
        "format": RESULT_FORMAT,
        "input_sha256": data.input_sha256,
        "targets": ordered,
        "funnel": funnel,
    }


def _target_entry(
    t: int,
    data: ScoringInput,
    stats: CategoryStatistics,
    sufficient: np.ndarray,
    satisfaction_low: np.ndarray,
    satisfaction_high: np.ndarray,
    z: float,
) -> dict[str, Any]:
    """A target's entry with its categories, composite and status; rank, grade and bonus
    are filled in per group afterwards."""
    params = data.params
    target = data.targets[t]
    indicator_ids = [indicator.id for indicator in data.indicators]

    categories: dict[str, Any] = {}
    for c, category in enumerate(params.categories):
        n = int(stats.n[t, c])
        categories[category.id] = {
            "n": n,
            "score": _number(stats.score[t, c]),
            "se": _number(stats.se[t, c]),
            "ci": _interval(stats.ci_low[t, c], stats.ci_high[t, c]),
            "sufficient": bool(sufficient[t, c]),
            "satisfaction_rate": int(stats.satisfied[t, c]) / n if n else None,
            "satisfaction_ci": _interval(satisfaction_low[t, c], satisfaction_high[t, c]),
            "indicators": {
                identifier: float(stats.indicators[t, c, i])
                for i, identifier in enumerate(indicator_ids)
                if not math.isnan(stats.indicators[t, c, i])
            },
        }

    counted = [c for c in range(len(params.categories)) if sufficient[t, c]]
    composite = se = None
    ci = None
    indicators: dict[str, float] = {}
    if counted:
        # C = Σ w_c·S_c / W_K; SE_C = √(Σ (w_c/W_K)²·SE_c²); sums left to right in the
        # declared order of the categories.
        total = _sum(params.categories[c].weight for c in counted)
        weighted = _sum(params.categories[c].weight * float(stats.score[t, c]) for c in counted)
        composite = weighted / total
        variance = _sum(
            (params.categories[c].weight / total) ** 2 * float(stats.se[t, c]) ** 2 for c in counted
        )
        se = math.sqrt(variance)
        ci = [composite - z * se, composite + z * se]
        if params.revision >= 2:
            ci = [min(max(bound, 0.0), 100.0) for bound in ci]
        for i, identifier in enumerate(indicator_ids):
            having = [c for c in counted if not math.isnan(stats.indicators[t, c, i])]
            if having:
                indicators[identifier] = _sum(
                    params.categories[c].weight * float(stats.indicators[t, c, i]) for c in having
                ) / _sum(params.categories[c].weight for c in having)

    share_met = weight_share_met(
        [params.categories[c].weight for c in counted],
        [category.weight for category in params.categories],
        params.min_weight_share,
        params.revision,
    )
    return {
        "id": target.id,
        "name": target.name,
        "status": "rated" if counted and share_met else "insufficient",
        "composite": composite,
        "se": se,
        "ci": ci,
        "categories": categories,
        "indicators": indicators,
        "rank": None,
        "rank_interval": None,
        "grade": None,
        "bonus_coefficient": None,
        "bonus_amount": None,
        "group": target.group,
    }


def _rank_group(
    rated: list[int],
    entries: list[dict[str, Any]],
    data: ScoringInput,
    stats: CategoryStatistics,
    sufficient: np.ndarray,
    residents: int | None,
    z: float,
) -> None:
    """Rank, rank interval, grade and bonus of a group's rated targets, in place."""
    if not rated:
        return
    params = data.params
    # Revision 2 orders and compares r(C) and r(S_residents) (SCORING.md §3a).
    decided = r if params.revision >= 2 else float
    residents_score = [
        decided(stats.score[t, residents])
        if residents is not None and sufficient[t, residents]
        else math.nan
        for t in rated
    ]
    order = rank_order(
        [data.targets[t].id for t in rated],
        [decided(entries[t]["composite"]) for t in rated],
        residents_score,
        [int(stats.n[t].sum()) for t in rated],
    )
    ranked = [rated[position] for position in order]
    low, high = rank_intervals(
        np.array([decided(entries[t]["composite"]) for t in ranked]),
        np.array([entries[t]["se"] for t in ranked]),
        z,
    )
    given = grades(
        params,
        [entries[t]["composite"] for t in ranked],
        [data.targets[t].veto for t in ranked],
    )
    coefficients = [params.coefficient(grade) for grade in given]
    amounts = bonus_amounts(params.pool, coefficients)
    for position, t in enumerate(ranked):
        entry = entries[t]
        entry["rank"] = position + 1
        entry["rank_interval"] = [int(low[position]), int(high[position])]
        entry["grade"] = given[position]
        entry["bonus_coefficient"] = coefficients[position]
        entry["bonus_amount"] = amounts[position]


def _funnel(
    members: list[int], data: ScoringInput, stats: CategoryStatistics, category: int
) -> dict[str, Any] | None:
    """The funnel of a group (members sorted by id) on the funnel category, or None when no
    member has a response there."""
    present = [t for t in members if stats.n[t, category] > 0]
    if not present:
        return None
    satisfied = int(sum(int(stats.satisfied[t, category]) for t in present))
    total = int(sum(int(stats.n[t, category]) for t in present))
    p_bar = satisfied / total
    counts = np.array([stats.n[t, category] for t in present], dtype=np.float64)
    low95, high95 = (limit.tolist() for limit in funnel_limits(p_bar, counts, FUNNEL_Z95))
    low998, high998 = (limit.tolist() for limit in funnel_limits(p_bar, counts, FUNNEL_Z998))
    entries = {}
    for position, t in enumerate(present):
        n = int(stats.n[t, category])
        p = int(stats.satisfied[t, category]) / n
        low, high = low998[position], high998[position]
        if data.params.revision >= 2:
            p_decided, low, high = r(p), r(low), r(high)
        else:
            p_decided = p
        if p_decided > high:
            signal = "high"
        elif p_decided < low:
            signal = "low"
        else:
            signal = "within"
        entries[data.targets[t].id] = {
            "n": n,
            "p": p,
            "lo95": low95[position],
            "hi95": high95[position],
            "lo998": low998[position],
            "hi998": high998[position],
            "signal": signal,
        }
    return {
        "category": data.params.funnel_category,
        "p_bar": p_bar,
        "targets": entries,
    }
