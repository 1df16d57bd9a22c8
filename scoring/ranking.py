"""Ranks and rank intervals within a group (SCORING.md §3, Rank).

Fixed tie-break: rated targets are ordered by composite (higher first), then by the
residents' category score where that category is sufficient (higher first; targets
without one come last), then by total n over all categories (more first), then by id
(ascending, by code point). Rank = position, 1-based.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def rank_order(
    ids: Sequence[str],
    composite: Sequence[float],
    residents_score: Sequence[float],
    total_n: Sequence[int],
) -> list[int]:
    """Positions 0..N-1 of the given rated targets, best first. `residents_score` is NaN
    where the residents' category is not sufficient (or not declared)."""

    def key(position: int) -> tuple[float, int, float, int, str]:
        residents = residents_score[position]
        missing = math.isnan(residents)
        return (
            -composite[position],
            1 if missing else 0,
            0.0 if missing else -residents,
            -total_n[position],
            ids[position],
        )

    return sorted(range(len(ids)), key=key)


def rank_intervals(
    composite: np.ndarray, se: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """lo, hi per target (any order; arrays of the group's rated targets):
    lo = 1 + #{u : (C_u − C_t)/√(SE_u² + SE_t²) > z},
    hi = N − #{u : (C_t − C_u)/√(SE_u² + SE_t²) > z}.
    Where the denominator is 0 a non-zero difference counts as significant."""
    composite = np.asarray(composite, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    count = composite.shape[0]
    variance = se * se
    # difference[t, u] = C_u − C_t; denominator symmetric.
    difference = composite[np.newaxis, :] - composite[:, np.newaxis]
    denominator = np.sqrt(variance[np.newaxis, :] + variance[:, np.newaxis])
    ratio = np.where(difference > 0, np.inf, np.where(difference < 0, -np.inf, 0.0))
    np.divide(difference, denominator, out=ratio, where=denominator > 0)
    higher = np.count_nonzero(ratio > z, axis=1)
    lower = np.count_nonzero(-ratio > z, axis=1)
    return 1 + higher, count - lower
