"""Quantiles and intervals (SCORING.md §3): Student t and normal quantiles, the Wilson
score interval of a rate, and the funnel plot's control limits."""

from __future__ import annotations

import numpy as np

#: The funnel plot's fixed two-sided z values (SCORING.md §3, Funnel).
FUNNEL_Z95 = 1.959964
FUNNEL_Z998 = 3.090232


def normal_quantile(confidence: float) -> float:
    """z = Φ⁻¹((1 + confidence)/2)."""
    from scipy import stats  # a second to import: loaded on first use, not with the app

    return float(stats.norm.ppf((1 + confidence) / 2))


def t_quantiles(confidence: float, df: np.ndarray) -> np.ndarray:
    """t_{(1+confidence)/2, df} for each df (NaN where df < 1)."""
    from scipy import stats

    df = np.asarray(df, dtype=np.float64)
    result = np.full(df.shape, np.nan)
    usable = df >= 1
    result[usable] = stats.t.ppf((1 + confidence) / 2, df[usable])
    return result


def wilson_interval(
    successes: np.ndarray, n: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of successes/n, clipped to [0, 1]; NaN where n = 0.

    centre = (p + z²/2n)/(1 + z²/n), half-width = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²).
    """
    successes = np.asarray(successes, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    low = np.full(n.shape, np.nan)
    high = np.full(n.shape, np.nan)
    has = n > 0
    k, m = successes[has], n[has]
    p = k / m
    z2 = z * z
    denominator = 1 + z2 / m
    centre = (p + z2 / (2 * m)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / m + z2 / (4 * m * m))
    low[has] = np.clip(centre - half, 0.0, 1.0)
    high[has] = np.clip(centre + half, 0.0, 1.0)
    return low, high


def funnel_limits(p_bar: float, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """p̄ ± z·√(p̄(1−p̄)/n), clipped to [0, 1], for each n > 0."""
    half = z * np.sqrt(p_bar * (1 - p_bar) / np.asarray(n, dtype=np.float64))
    return np.clip(p_bar - half, 0.0, 1.0), np.clip(p_bar + half, 0.0, 1.0)
