"""Category scores of each target (SCORING.md §3): n, S, SE, CI, satisfaction counts and
indicator means per (target, category), from up to millions of response scores.

The responses are sorted once by (target, category, R, I_1, …, I_m), with targets keyed by
their id; every per-group sum is then a sequential `np.bincount` over that order. So the
results do not depend on the order of responses or targets in the input, bit for bit, and
nothing depends on BLAS, threads or SIMD-dependent pairwise summation. The trimmed mean and
the winsorised deviation use each group's offsets in the same sorted order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rounding import at_least
from .uncertainty import normal_quantile, t_quantiles

#: Revision 2 clips the category scores' intervals to the scale of the points.
SCALE = (0.0, 100.0)


@dataclass(frozen=True)
class CategoryStatistics:
    """Per (target, category) arrays of shape (n_targets, n_categories); NaN = undefined."""

    n: np.ndarray
    score: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    #: Responses with R ≥ satisfied_threshold.
    satisfied: np.ndarray
    #: Mean of I_i over the responses that have I_i: shape (n_targets, n_categories, n_indicators).
    indicators: np.ndarray


def _segment_sums(segment: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """Σ values per segment, added in array order (np.bincount is a sequential loop)."""
    return np.bincount(segment, weights=values, minlength=count)


def category_statistics(
    response_scores: np.ndarray,
    indicator_scores: np.ndarray,
    target_of: np.ndarray,
    category_of: np.ndarray,
    *,
    n_targets: int,
    n_categories: int,
    target_order: np.ndarray,
    target_group: np.ndarray,
    n_groups: int,
    aggregate: str,
    trim: float,
    prior_strength: float,
    confidence: float,
    satisfied_threshold: float,
    revision: int = 1,
) -> CategoryStatistics:
    """Aggregate response scores per (target, category).

    `target_order[t]` is target t's position among the targets sorted by id (it fixes the
    order of summation); `target_group[t]` the index of its group (for μ_c of
    `shrunk_mean`). Responses without a score (R NaN) are left out. Revision 2 decides
    "satisfied" on r(R) and clips the intervals to [0, 100].
    """
    n_indicators = indicator_scores.shape[1]
    shape = (n_targets, n_categories)
    n = np.zeros(shape, dtype=np.int64)
    score = np.full(shape, np.nan)
    se = np.full(shape, np.nan)
    ci_low = np.full(shape, np.nan)
    ci_high = np.full(shape, np.nan)
    satisfied = np.zeros(shape, dtype=np.int64)
    indicators = np.full((*shape, n_indicators), np.nan)

    scored = ~np.isnan(response_scores)
    scores = response_scores[scored]
    total = scores.shape[0]
    if total == 0:
        return CategoryStatistics(n, score, se, ci_low, ci_high, satisfied, indicators)
    targets = target_of[scored]
    key = target_order[targets] * n_categories + category_of[scored]
    indicator_columns = [indicator_scores[scored, i] for i in range(n_indicators)]
    order = np.lexsort((*reversed(indicator_columns), scores, key))
    key = key[order]
    scores = scores[order]
    targets = targets[order]
    categories = category_of[scored][order]

    # Segments: runs of equal (target, category) in the sorted order.
    first = np.empty(total, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    segment = np.cumsum(first) - 1
    segments = starts.shape[0]
    counts = np.diff(np.append(starts, total))
    where = (targets[starts], categories[starts])
    count_f = counts.astype(np.float64)
    n[where] = counts

    means = _segment_sums(segment, scores, segments) / count_f
    deviation = scores - means[segment]
    several = counts >= 2
    sd = np.full(segments, np.nan)
    sd[several] = np.sqrt(
        _segment_sums(segment, deviation * deviation, segments)[several] / (count_f[several] - 1)
    )

    if aggregate == "mean":
        centre = means
        spread = sd / np.sqrt(count_f)
        half = t_quantiles(confidence, count_f - 1) * spread
    elif aggregate == "trimmed_mean":
        # g = ⌊trim·n⌋ as scipy.stats.trim_mean computes it: int(trim * n) in float64.
        cut = np.floor(trim * count_f).astype(np.int64)
        position = np.arange(total) - starts[segment]
        keep = (position >= cut[segment]) & (position < (counts - cut)[segment])
        kept = (counts - 2 * cut).astype(np.float64)
        centre = _segment_sums(segment[keep], scores[keep], segments) / kept
        low = scores[starts + cut]
        high = scores[starts + counts - cut - 1]
        winsorised = np.clip(scores, low[segment], high[segment])
        winsorised_mean = _segment_sums(segment, winsorised, segments) / count_f
        w_deviation = winsorised - winsorised_mean[segment]
        sd_w = np.full(segments, np.nan)
        sd_w[several] = np.sqrt(
            _segment_sums(segment, w_deviation * w_deviation, segments)[several]
            / (count_f[several] - 1)
        )
        spread = sd_w / ((1 - 2 * cut / count_f) * np.sqrt(count_f))
        half = t_quantiles(confidence, kept - 1) * spread
    elif aggregate == "shrunk_mean":
        # μ_c: all response scores of category c among the targets of the same group.
        pooled_key = target_group[targets] * n_categories + categories
        pooled_sum = np.bincount(pooled_key, weights=scores, minlength=n_groups * n_categories)
        pooled_n = np.bincount(pooled_key, minlength=n_groups * n_categories)
        segment_pool = pooled_key[starts]
        mu = pooled_sum[segment_pool] / pooled_n[segment_pool]
        k = prior_strength
        centre = (count_f * means + k * mu) / (count_f + k)
        spread = sd * np.sqrt(count_f) / (count_f + k)
        half = normal_quantile(confidence) * spread
    else:  # validated before; a new aggregate must be added here
        raise ValueError(f"unknown aggregate {aggregate!r}")

    score[where] = centre
    se[where] = spread
    low, high = centre - half, centre + half
    if revision >= 2:
        low, high = np.clip(low, *SCALE), np.clip(high, *SCALE)
        is_satisfied = at_least(scores, satisfied_threshold)
    else:
        is_satisfied = scores >= satisfied_threshold
    ci_low[where] = low
    ci_high[where] = high
    satisfied[where] = np.bincount(segment[is_satisfied], minlength=segments)
    for i, column in enumerate(indicator_columns):
        values = column[order]
        has = ~np.isnan(values)
        sums = _segment_sums(segment[has], values[has], segments)
        have = np.bincount(segment[has], minlength=segments)
        indicator_means = np.full(segments, np.nan)
        np.divide(sums, have, out=indicator_means, where=have > 0)
        indicators[(*where, i)] = indicator_means
    return CategoryStatistics(n, score, se, ci_low, ci_high, satisfied, indicators)
