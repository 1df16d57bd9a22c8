"""Response scores (SCORING.md §3): from the points of each answered question to the
response's indicator scores I_i and its score R.

Points arrive already mapped (SCORING.md §1, done by the app); NaN stands for `null`.
All work is elementwise on whole columns, in a fixed order (questions and indicators as
declared), so every number is reproducible bit for bit: no BLAS, no pairwise reductions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def normalised_weights(weights: Sequence[float]) -> np.ndarray:
    """Weights divided by their sum, the sum added left to right in the declared order."""
    total = 0.0
    for weight in weights:
        total += weight
    return np.array([weight / total for weight in weights], dtype=np.float64)


def indicator_scores(
    points: np.ndarray,
    question_indicator: Sequence[int],
    question_weights: Sequence[float],
    n_indicators: int,
) -> np.ndarray:
    """I[r, i] = Σ w_q·p_q / Σ w_q over the questions q of indicator i that response r
    answered with points; NaN where it answered none of them. Shape (n_responses,
    n_indicators)."""
    count = points.shape[0]
    numerators = [np.zeros(count) for _ in range(n_indicators)]
    denominators = [np.zeros(count) for _ in range(n_indicators)]
    for column, (indicator, weight) in enumerate(
        zip(question_indicator, question_weights, strict=True)
    ):
        values = points[:, column]
        present = ~np.isnan(values)
        numerators[indicator] += np.where(present, values * weight, 0.0)
        denominators[indicator] += np.where(present, weight, 0.0)
    scores = np.full((count, n_indicators), np.nan)
    for indicator in range(n_indicators):
        has = denominators[indicator] > 0
        np.divide(
            numerators[indicator], denominators[indicator], out=scores[:, indicator], where=has
        )
    return scores


def response_scores(indicators: np.ndarray, indicator_weights: Sequence[float]) -> np.ndarray:
    """R[r] = Σ v_i·I_i / Σ v_i over the indicators response r has, with v the indicator
    weights normalised to sum 1; NaN for a response without points."""
    weights = normalised_weights(indicator_weights)
    count = indicators.shape[0]
    numerator = np.zeros(count)
    denominator = np.zeros(count)
    for indicator, weight in enumerate(weights):
        values = indicators[:, indicator]
        present = ~np.isnan(values)
        numerator += np.where(present, values * weight, 0.0)
        denominator += np.where(present, weight, 0.0)
    scores = np.full(count, np.nan)
    np.divide(numerator, denominator, out=scores, where=denominator > 0)
    return scores
