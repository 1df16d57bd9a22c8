"""Weights by pairwise comparison: Saaty's AHP (SCORING.md §5)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import AhpError

if TYPE_CHECKING:
    import numpy as np

#: Saaty's random consistency index RI_n for n = 1..10.
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
#: A matrix whose consistency ratio exceeds this is refused.
MAX_CR = 0.1
#: a_ji must equal 1/a_ij within this (absolute) tolerance.
RECIPROCAL_TOLERANCE = 1e-6


class AhpResult(NamedTuple):
    """Weights (sum 1, in the order of the matrix rows), λ_max, CI and CR."""

    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float

    def as_dict(self) -> dict[str, Any]:
        """The document `python -m scoring ahp` prints."""
        return {
            "weights": list(self.weights),
            "lambda_max": self.lambda_max,
            "ci": self.ci,
            "cr": self.cr,
        }


def _matrix(rows: Any) -> np.ndarray:
    import numpy as np  # here, not above: the app imports ahp in every worker (scoring/__init__)

    if not isinstance(rows, (list, tuple)) or not rows:
        raise AhpError("matrix", "must be a non-empty list of rows")
    n = len(rows)
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple)):
            raise AhpError(f"matrix[{i}]", "must be a list of numbers")
        if len(row) != n:
            raise AhpError(
                f"matrix[{i}]", f"has {len(row)} entries but the matrix has {n} rows: not square"
            )
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise AhpError(f"matrix[{i}][{j}]", f"must be a number, not {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise AhpError(f"matrix[{i}][{j}]", f"{value!r} is not a positive number")
    if n > len(RANDOM_INDEX):
        raise AhpError(
            "matrix",
            f"has {n} rows; Saaty's random index (and so CR) is defined for at most "
            f"{len(RANDOM_INDEX)} criteria",
        )
    matrix = np.array(rows, dtype=np.float64)
    for i in range(n):
        if abs(matrix[i, i] - 1) > RECIPROCAL_TOLERANCE:
            raise AhpError(
                f"matrix[{i}][{i}]", f"{rows[i][i]!r} on the diagonal: must be 1 (reciprocal)"
            )
        for j in range(i + 1, n):
            if abs(matrix[j, i] - 1 / matrix[i, j]) > RECIPROCAL_TOLERANCE:
                raise AhpError(
                    f"matrix[{j}][{i}]",
                    f"{rows[j][i]!r} is not the reciprocal of matrix[{i}][{j}] = {rows[i][j]!r} "
                    f"(1/{rows[i][j]!r} = {1 / matrix[i, j]!r}): not reciprocal",
                )
    return matrix


def ahp(matrix: Any) -> AhpResult:
    """Weights of n criteria from an n×n positive reciprocal comparison matrix (a list of
    rows; a_ij says how much more important criterion i is than j).

    w = the principal right eigenvector, normalised to sum 1; λ_max = mean_i((A·w)_i / w_i);
    CI = (λ_max − n)/(n − 1) (0 for n = 1); CR = CI/RI_n (0 for n ≤ 2).
    Raises `AhpError`: a matrix that is not square, not positive or not reciprocal
    (a_ji = 1/a_ij within 1e-6), has more than 10 rows, or has CR > 0.1 (`.cr` holds it).
    """
    import numpy as np

    a = _matrix(matrix)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    principal = vectors[:, int(np.argmax(values.real))].real
    weights = principal / principal.sum()
    lambda_max = float(np.mean((a @ weights) / weights))
    ci = (lambda_max - n) / (n - 1) if n > 1 else 0.0
    cr = ci / RANDOM_INDEX[n - 1] if n > 2 else 0.0
    if cr > MAX_CR:
        raise AhpError(
            "matrix",
            f"the comparisons are inconsistent: CR = {cr:.4f} > {MAX_CR} "
            f"(λ_max = {lambda_max:.4f}, CI = {ci:.4f}); revise the judgements",
            cr=cr,
        )
    return AhpResult(weights=tuple(float(w) for w in weights), lambda_max=lambda_max, ci=ci, cr=cr)
