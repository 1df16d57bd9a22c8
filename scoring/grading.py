"""Grades with quota and veto, bonus coefficients and pool (SCORING.md §3)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from .inputs import Params


def stated(value: float) -> Fraction:
    """The number a JSON document states for `value`: its shortest repr, read exactly (so
    0.29 is 29/100, not the binary double nearest to it)."""
    return Fraction(repr(float(value)))


def excellent_quota(params: Params, rated: int) -> int:
    """⌊excellent_quota·N⌋ in exact arithmetic on the stated quota (0.29·100 gives 29)."""
    return math.floor(stated(params.excellent_quota) * rated)


def weight_share_met(counted: Sequence[float], declared: Sequence[float], share: float) -> bool:
    """W_K ≥ min_weight_share·Σ w_c, in exact arithmetic on the stated weights, so that a
    share met exactly on paper (0.3 + 0.2 of 1.0 at 0.5) is met."""
    return sum(map(stated, counted), Fraction(0)) >= stated(share) * sum(
        map(stated, declared), Fraction(0)
    )


def grades(params: Params, composite: Sequence[float], veto: Sequence[bool]) -> list[str]:
    """Grades of a group's rated targets, given in rank order."""
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
