"""Weights by pairwise comparison: Saaty's AHP (SCORING.md §5)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import AhpError
from .messages import N_

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
        raise AhpError("matrix", N_("must be a non-empty list of rows"))
    n = len(rows)
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple)):
            raise AhpError(f"matrix[{i}]", N_("must be a list of numbers"))
        if len(row) != n:
            raise AhpError(
                f"matrix[{i}]",
                N_("has %(entries)s entries but the matrix has %(rows)s rows: not square"),
                {"entries": len(row), "rows": n},
            )
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise AhpError(
                    f"matrix[{i}][{j}]",
                    N_("must be a number, not %(value)s"),
                    {"value": repr(value)},
                )
            if not math.isfinite(value) or value <= 0:
                raise AhpError(
                    f"matrix[{i}][{j}]",
                    N_("%(value)s is not a positive number"),
                    {"value": repr(value)},
                )
    if n > len(RANDOM_INDEX):
        raise AhpError(
            "matrix",
            N_(
                "has %(rows)s rows; Saaty's random index (and so CR) is defined for at most "
                "%(most)s criteria"
            ),
            {"rows": n, "most": len(RANDOM_INDEX)},
        )
    matrix = np.array(rows, dtype=np.float64)
    for i in range(n):
        if abs(matrix[i, i] - 1) > RECIPROCAL_TOLERANCE:
            raise AhpError(
                f"matrix[{i}][{i}]",
                N_("%(value)s on the diagonal: must be 1 (reciprocal)"),
                {"value": repr(rows[i][i])},
            )
        for j in range(i + 1, n):
            if abs(matrix[j, i] - 1 / matrix[i, j]) > RECIPROCAL_TOLERANCE:
                raise AhpError(
                    f"matrix[{j}][{i}]",
                    N_(
                        "%(value)s is not the reciprocal of %(entry)s = %(other)s "
                        "(1/%(other)s = %(inverse)s): not reciprocal"
                    ),
                    {
                        "value": repr(rows[j][i]),
                        "entry": f"matrix[{i}][{j}]",
                        "other": repr(rows[i][j]),
                        "inverse": repr(1 / matrix[i, j]),
                    },
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
            N_(
                "the comparisons are inconsistent: CR = %(cr)s > %(most)s "
                "(λ_max = %(lambda_max)s, CI = %(ci)s); revise the judgements"
            ),
            {
                "cr": f"{cr:.4f}",
                "most": MAX_CR,
                "lambda_max": f"{lambda_max:.4f}",
                "ci": f"{ci:.4f}",
            },
            cr=cr,
        )
    return AhpResult(weights=tuple(float(w) for w in weights), lambda_max=lambda_max, ci=ci, cr=cr)
