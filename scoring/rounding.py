"""Revision 2's decisions on values rounded to 9 decimals (SCORING.md §3a).

r(x) is Python's `round(x, 9)` on a float: correctly rounded, the exact binary value of x
rounded half to even at the ninth decimal and read back as the nearest float. `numpy.round`
scales by 1e9 first and can differ in the last place, so it decides nothing here. Arrays are
decided exactly by `at_least`: only values near the limit are rounded, one `round` per
distinct value.
"""

from __future__ import annotations

import numpy as np

DECIMALS = 9
#: Beyond this distance from a limit the rounded value (within 5e-10 of the value, for
#: numbers of the 0–100 scale) lies on the same side of the limit as the value itself.
NEAR = 1e-6


def r(value: float) -> float:
    """`round(value, 9)` on the Python float (a numpy scalar would use numpy's rounding)."""
    return round(float(value), DECIMALS)


def rounded(values: np.ndarray) -> np.ndarray:
    """r of each element, exactly: Python's round once per distinct value."""
    values = np.asarray(values, dtype=np.float64)
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([r(value) for value in distinct], dtype=np.float64)[
        inverse.reshape(-1)
    ].reshape(values.shape)


def at_least(values: np.ndarray, limit: float) -> np.ndarray:
    """r(values) ≥ limit element by element (False for NaN), for values and limit within
    [−1e6, 1e6]: away from the limit the plain comparison says the same."""
    values = np.asarray(values, dtype=np.float64)
    result = values >= limit
    near = np.abs(values - limit) <= NEAR
    if near.any():
        result[near] = rounded(values[near]) >= limit
    return result
