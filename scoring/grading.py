"""Grades with quota and veto, bonus coefficients and pool (SCORING.md §3)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from .inputs import Params
from .rounding import r


def stated(value: float) -> Fraction:
    """The number a JSON document states for `value`: its shortest repr, read exactly (so
    0.29 is 29/100, not the binary double nearest to it)."""
    return Fraction(repr(float(value)))


def excellent_quota(params: Params, rated: int) -> int:
    """The number of excellent places among N rated targets. Revision 1: ⌊q·N⌋ in exact
    arithmetic on the stated quota (0.29·100 gives 29). Revision 2: r(q·N) rounded by
    `quota_rounding` (⌊x⌋, ⌊x + ½⌋ or ⌈x⌉), on the decimal that r gives."""
    if params.revision < 2:
        return math.floor(stated(params.excellent_quota) * rated)
    places = stated(r(params.excellent_quota * rated))
    if params.quota_rounding == "ceil":
        return math.ceil(places)
    if params.quota_rounding == "half_up":
        return math.floor(places + Fraction(1, 2))
    return math.floor(places)


def weight_share_met(
    counted: Sequence[float], declared: Sequence[float], share: float, revision: int = 1
) -> bool:
    """W_K ≥ min_weight_share·Σ w_c, so that a share met exactly on paper (0.3 + 0.2 of 1.0
    at 0.5) is met: revision 1 in exact arithmetic on the stated weights, revision 2 as
    r(W_K) ≥ r(min_weight_share·Σ w_c) on the float sums, added left to right."""
    if revision >= 2:
        return r(_left_sum(counted)) >= r(share * _left_sum(declared))
    return sum(map(stated, counted), Fraction(0)) >= stated(share) * sum(
        map(stated, declared), Fraction(0)
    )


def _left_sum(values: Sequence[float]) -> float:
    total = 0.0
    for value in values:
        total += value
    return total


def grades(params: Params, composite: Sequence[float], veto: Sequence[bool]) -> list[str]:
    """Grades of a group's rated targets, given in rank order. Revision 2 compares r(C)
    with the limits."""
    if params.revision >= 2:
        composite = [r(value) for value in composite]
    quota = excellent_quota(params, len(composite))
    result = []
    excellent = 0
    for value, vetoed in zip(composite, veto, strict=True):
        if vetoed or value < params.fail_below:
            grade = "incompetent"
        elif value < params.basic_below:
            grade = "basic"
        elif value >= params.excellent_min and excellent < quota:
            grade = "excellent"
            excellent += 1
        else:
            grade = "competent"
        result.append(grade)
    return result


def bonus_amounts(pool: float | None, coefficients: Sequence[float]) -> list[float | None]:
    """amount_t = pool·coef_t / Σ coef (0 when that sum is 0); None without a pool. The sum
    is exactly rounded (math.fsum), so it does not depend on the order of targets."""
    if pool is None:
        return [None] * len(coefficients)
    total = math.fsum(coefficients)
    if total == 0:
        return [0.0] * len(coefficients)
    return [pool * coefficient / total for coefficient in coefficients]
