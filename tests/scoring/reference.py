"""A deliberately simple reference implementation of SCORING.md §3–§4, for cross-checking.

Written from the specification text alone (not from `scoring/`), in plain Python: loops over
responses, categories and targets, `math` / `statistics` for sums and standard deviations,
`fractions` for the two limits decided exactly, and scipy only where SCORING.md names it
(the t and normal quantiles and `scipy.stats.trim_mean`). It is slow and makes no attempt at
bit-for-bit reproducibility; it exists so that a misreading of SCORING.md in one
implementation is caught by the other.

Revision 2 (SCORING.md §3a) is followed where its rules differ: each decision compares
`round(x, 9)` of the values, intervals are clipped to [0, 100], and the excellent places are
rounded as `grades.quota_rounding` says (with `decimal`, on the 9-decimal number).

`reference_score(document)` takes a *valid* scoring input (parsed JSON; nothing is validated
here) and returns the result document of §4 without `input_sha256`.

Where SCORING.md leaves room, this follows the readings fixed in `scoring/__init__.py`'s
docstring ("Readings fixed here…"); each place is marked `READING:` below.
"""

from __future__ import annotations

import math
import statistics
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from scipy import stats

#: The defaults of SCORING.md §2.
DEFAULT_CATEGORIES = {
    "residents": {"weight": 0.5, "min_responses": 30},
    "grassroots": {"weight": 0.3, "min_responses": 5},
    "service_targets": {"weight": 0.2, "min_responses": 5},
}
DEFAULT_PARAMS = {
    "min_weight_share": 0.5,
    "aggregate": "mean",
    "trim": 0.1,
    "prior_strength": 10,
    "satisfied_threshold": 60,
    "confidence": 0.95,
    "funnel_category": "residents",
}
DEFAULT_GRADES = {"fail_below": 60, "basic_below": 70, "excellent_min": 85, "excellent_quota": 0.2}
DEFAULT_COEFFICIENTS = {"excellent": 1.2, "competent": 1.0, "basic": 0.8, "incompetent": 0.0}
#: The funnel's limits are stated with these literal z values (SCORING.md §3, Funnel).
FUNNEL_Z95 = 1.959964
FUNNEL_Z998 = 3.090232


def exact(number: float | int) -> Fraction:
    """The decimal number as stated in the input (its shortest repr), exactly."""
    # READING: "decided in exact arithmetic on the decimal numbers as stated in the input".
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def left_sum(values) -> float:
    """Floats added one by one, left to right (Python 3.12's `sum` compensates)."""
    total = 0.0
    for value in values:
        total += value
    return total


# -- params ------------------------------------------------------------------------------


def read_params(raw: dict[str, Any] | None) -> dict[str, Any]:
    raw = raw or {}
    params = {key: raw.get(key, default) for key, default in DEFAULT_PARAMS.items()}
    categories = {}
    for name, spec in raw.get("categories", DEFAULT_CATEGORIES).items():
        default = DEFAULT_CATEGORIES.get(name, {})
        categories[name] = {
            "weight": spec.get("weight", default.get("weight")),
            "min_responses": spec.get("min_responses", default.get("min_responses")),
        }
    params["categories"] = categories
    params["grades"] = {**DEFAULT_GRADES, **raw.get("grades", {})}
    bonus = raw.get("bonus", {})
    params["coefficients"] = {**DEFAULT_COEFFICIENTS, **bonus.get("coefficients", {})}
    params["pool"] = bonus.get("pool")
    params["revision"] = raw.get("revision", 1)
    params["quota_rounding"] = params["grades"].pop("quota_rounding", "floor")
    return params


def clip(interval: list[float] | None) -> list[float] | None:
    """Revision 2's bounded interval."""
    return None if interval is None else [min(100.0, max(0.0, x)) for x in interval]


def places(quota: float, count: int, rounding: str) -> int:
    """Revision 2's number of excellent places: r(q·N) rounded as stated."""
    how = {"floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING}[rounding]
    return int(Decimal(repr(round(quota * count, 9))).quantize(Decimal(1), rounding=how))


# -- §3 Response score ---------------------------------------------------------------------


def response_score(
    points: dict[str, float | None],
    questions: list[dict[str, Any]],
    indicator_weight: dict[str, float],
) -> tuple[float | None, dict[str, float]]:
    """R and the indicator scores I_i of one response (None, {} without points)."""
    numerators: dict[str, list[float]] = {}
    denominators: dict[str, list[float]] = {}
    for question in questions:
        value = points.get(question["id"])
        if value is None:
            continue
        numerators.setdefault(question["indicator"], []).append(question["weight"] * value)
        denominators.setdefault(question["indicator"], []).append(question["weight"])
    # Plain left-to-right sums in the declared order of the questions and indicators, with
    # v normalised first, exactly as the formulas read: a decision at a limit uses R as
    # computed (SCORING.md's worked examples need a response's R of 59.99999999999999 not
    # to be satisfied at 60, and this order reproduces them; math.fsum would not).
    indicator_scores = {
        i: left_sum(numerators[i]) / left_sum(denominators[i])
        for i in indicator_weight  # declared order
        if i in numerators
    }
    if not indicator_scores:
        return None, {}
    total_v = left_sum(indicator_weight.values())
    v = {i: w / total_v for i, w in indicator_weight.items()}  # normalised to sum 1
    score = left_sum(v[i] * s for i, s in indicator_scores.items()) / left_sum(
        v[i] for i in indicator_scores
    )
    return score, indicator_scores


# -- §3 Category score ---------------------------------------------------------------------


def category_score(
    scores: list[float], params: dict[str, Any], mu: float | None
) -> tuple[float | None, float | None, list[float] | None]:
    """(S, SE, CI) of one target in one category from its response scores R."""
    n = len(scores)
    if n == 0:
        return None, None, None
    confidence = params["confidence"]
    q = (1 + confidence) / 2
    aggregate = params["aggregate"]
    if aggregate == "mean":
        score = mean(scores)
        if n < 2:
            return score, None, None
        se = statistics.stdev(scores) / math.sqrt(n)
        half = float(stats.t.ppf(q, n - 1)) * se
        return score, se, [score - half, score + half]
    if aggregate == "trimmed_mean":
        trim = params["trim"]
        # Sorted first: scipy's result depends on the order of its input in the last bit,
        # and the same responses in another order must give the same result (twins).
        score = float(stats.trim_mean(sorted(scores), trim))
        g = math.floor(trim * n)  # as scipy.stats.trim_mean: int(proportiontocut * nobs)
        if n < 2:
            return score, None, None
        ordered = sorted(scores)
        winsorised = [ordered[g]] * g + ordered[g : n - g] + [ordered[n - g - 1]] * g
        se = statistics.stdev(winsorised) / ((1 - 2 * g / n) * math.sqrt(n))
        df = n - 2 * g - 1
        if df < 1:
            return score, se, None
        half = float(stats.t.ppf(q, df)) * se
        return score, se, [score - half, score + half]
    if aggregate == "shrunk_mean":
        # READING: μ_c pools category c over the targets of the same group, not the campaign.
        k = params["prior_strength"]
        score = (n * mean(scores) + k * mu) / (n + k)
        if n < 2:
            return score, None, None
        se = statistics.stdev(scores) * math.sqrt(n) / (n + k)
        half = float(stats.norm.ppf(q)) * se
        return score, se, [score - half, score + half]
    raise ValueError(aggregate)


def wilson(successes: int, n: int, z: float) -> list[float]:
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return [centre - half, centre + half]


# -- the whole computation -----------------------------------------------------------------


def reference_score(document: dict[str, Any]) -> dict[str, Any]:
    params = read_params(document.get("params"))
    categories = params["categories"]
    indicator_weight = {item["id"]: item["weight"] for item in document["indicators"]}
    questions = document["questions"]
    targets = document["targets"]
    group_of = {t["id"]: t.get("group", "all") for t in targets}
    # READING: the z of the composite's CI and of the rank interval is Φ⁻¹((1 + conf)/2),
    # as for shrunk_mean and the Wilson interval.
    z = float(stats.norm.ppf((1 + params["confidence"]) / 2))
    vetoed = {t["id"]: t.get("veto", False) for t in targets}
    threshold = params["satisfied_threshold"]
    revision = params["revision"]

    def decided(value: float) -> float:
        """The value a decision is made on: as computed (revision 1) or round(x, 9)."""
        return round(value, 9) if revision == 2 else value

    # Response scores, by (target, category).
    scored: dict[tuple[str, str], list[tuple[float, dict[str, float]]]] = {}
    for response in document["responses"]:
        score, indicator_scores = response_score(response["points"], questions, indicator_weight)
        if score is None:
            continue  # not counted
        scored.setdefault((response["target"], response["category"]), []).append(
            (score, indicator_scores)
        )

    # μ_c per (group, category) for shrunk_mean.
    pooled: dict[tuple[str, str], list[float]] = {}
    for (target, category), items in scored.items():
        pooled.setdefault((group_of[target], category), []).extend(s for s, _ in items)
    mu = {key: mean(values) for key, values in pooled.items()}

    total_weight = exact_sum(exact(c["weight"]) for c in categories.values())
    share = exact(params["min_weight_share"])

    entries: dict[str, dict[str, Any]] = {}
    facts: dict[str, dict[str, Any]] = {}  # what ranking and the funnel need
    for target in targets:
        tid = target["id"]
        group = group_of[tid]
        category_entries = {}
        satisfied_counts = {}
        total_n = 0
        for name, spec in categories.items():
            items = scored.get((tid, name), [])
            scores = [s for s, _ in items]
            n = len(scores)
            total_n += n
            score, se, ci = category_score(scores, params, mu.get((group, name)))
            if revision == 2:
                ci = clip(ci)
            satisfied = sum(1 for s in scores if decided(s) >= threshold)
            satisfied_counts[name] = satisfied
            indicators = {}
            for i in indicator_weight:  # READING: declared order of the indicators
                values = [ind[i] for _, ind in items if i in ind]
                if values:
                    indicators[i] = mean(values)
            category_entries[name] = {
                "n": n,
                "score": score,
                "se": se,
                "ci": ci,
                "sufficient": n >= max(2, spec["min_responses"]),
                "satisfaction_rate": satisfied / n if n else None,
                "satisfaction_ci": wilson(satisfied, n, z) if n else None,
                "indicators": indicators,
            }

        sufficient = [name for name, entry in category_entries.items() if entry["sufficient"]]
        composite = se = ci = None
        composite_indicators: dict[str, float] = {}
        if sufficient:
            w_k = math.fsum(categories[c]["weight"] for c in sufficient)
            composite = (
                math.fsum(
                    categories[c]["weight"] * category_entries[c]["score"] for c in sufficient
                )
                / w_k
            )
            se = math.sqrt(
                math.fsum(
                    (categories[c]["weight"] / w_k) ** 2 * category_entries[c]["se"] ** 2
                    for c in sufficient
                )
            )
            ci = [composite - z * se, composite + z * se]
            if revision == 2:
                ci = clip(ci)
            for i in indicator_weight:
                having = [c for c in sufficient if i in category_entries[c]["indicators"]]
                if having:
                    composite_indicators[i] = math.fsum(
                        categories[c]["weight"] * category_entries[c]["indicators"][i]
                        for c in having
                    ) / math.fsum(categories[c]["weight"] for c in having)
        # READING: the weight share is compared exactly on the decimals as stated, and a
        # target with no sufficient category is never rated (even at min_weight_share 0).
        w_k_exact = exact_sum(exact(categories[c]["weight"]) for c in sufficient)
        if revision == 2:
            w_all = math.fsum(c["weight"] for c in categories.values())
            w_k_float = math.fsum(categories[c]["weight"] for c in sufficient)
            share_met = round(w_k_float, 9) >= round(params["min_weight_share"] * w_all, 9)
        else:
            share_met = w_k_exact >= share * total_weight
        rated = bool(sufficient) and share_met

        residents = category_entries.get("residents")
        entries[tid] = {
            "id": tid,
            "name": target["name"],
            "status": "rated" if rated else "insufficient",
            "composite": composite,
            "se": se,
            "ci": ci,
            "categories": category_entries,
            "indicators": composite_indicators,
            "rank": None,
            "rank_interval": None,
            "grade": None,
            "bonus_coefficient": None,
            "bonus_amount": None,
            "group": group,
        }
        facts[tid] = {
            "residents": residents["score"] if residents and residents["sufficient"] else None,
            "total_n": total_n,
            "satisfied": satisfied_counts,
        }

    groups: list[str] = []
    for target in targets:
        if group_of[target["id"]] not in groups:
            groups.append(group_of[target["id"]])

    ordered: list[dict[str, Any]] = []
    funnel: dict[str, Any] = {}
    grades = params["grades"]
    for group in groups:
        members = [t["id"] for t in targets if group_of[t["id"]] == group]
        rated = [tid for tid in members if entries[tid]["status"] == "rated"]

        # READING: tie-break order composite, residents (where sufficient; none last),
        # total n over all categories, id ascending by code point.
        def key(tid: str) -> tuple:
            residents = facts[tid]["residents"]
            return (
                -decided(entries[tid]["composite"]),
                residents is None,
                -decided(residents or 0.0),
                -facts[tid]["total_n"],
                tid,
            )

        rated.sort(key=key)
        count = len(rated)
        for position, tid in enumerate(rated, start=1):
            entries[tid]["rank"] = position
            c_t, se_t = decided(entries[tid]["composite"]), entries[tid]["se"]
            above = below = 0
            for other in rated:
                if other == tid:
                    continue
                c_u, se_u = decided(entries[other]["composite"]), entries[other]["se"]
                denominator = math.sqrt(se_u**2 + se_t**2)
                if denominator == 0:
                    above += c_u - c_t > 0
                    below += c_t - c_u > 0
                else:
                    above += (c_u - c_t) / denominator > z
                    below += (c_t - c_u) / denominator > z
            entries[tid]["rank_interval"] = [1 + above, count - below]

        # READING: ⌊excellent_quota·N⌋ in exact arithmetic on the decimal as stated.
        if revision == 2:
            quota = places(grades["excellent_quota"], count, params["quota_rounding"])
        else:
            quota = math.floor(exact(grades["excellent_quota"]) * count)
        excellent = 0
        for tid in rated:
            composite = decided(entries[tid]["composite"])
            if vetoed[tid] or composite < grades["fail_below"]:  # steps 1 and 2
                grade = "incompetent"
            elif composite < grades["basic_below"]:
                grade = "basic"
            elif composite >= grades["excellent_min"] and excellent < quota:
                grade = "excellent"
                excellent += 1
            else:
                grade = "competent"
            entries[tid]["grade"] = grade
            entries[tid]["bonus_coefficient"] = params["coefficients"][grade]
        pool = params["pool"]
        if pool is not None:
            total = math.fsum(entries[tid]["bonus_coefficient"] for tid in rated)
            for tid in rated:
                coefficient = entries[tid]["bonus_coefficient"]
                entries[tid]["bonus_amount"] = pool * coefficient / total if total else 0.0

        ordered.extend(entries[tid] for tid in rated)
        ordered.extend(entries[tid] for tid in sorted(members) if entries[tid]["status"] != "rated")

        # Funnel on the satisfaction rate of funnel_category.
        category = params["funnel_category"]
        present = sorted(  # READING: a group's funnel lists its targets by id
            tid for tid in members if entries[tid]["categories"][category]["n"] > 0
        )
        if present:
            total_n = sum(entries[tid]["categories"][category]["n"] for tid in present)
            total_satisfied = sum(facts[tid]["satisfied"][category] for tid in present)
            p_bar = total_satisfied / total_n
            listed = {}
            for tid in present:
                n = entries[tid]["categories"][category]["n"]
                p = facts[tid]["satisfied"][category] / n
                half95 = FUNNEL_Z95 * math.sqrt(p_bar * (1 - p_bar) / n)
                half998 = FUNNEL_Z998 * math.sqrt(p_bar * (1 - p_bar) / n)
                lo998, hi998 = max(0.0, p_bar - half998), min(1.0, p_bar + half998)
                listed[tid] = {
                    "n": n,
                    "p": p,
                    "lo95": max(0.0, p_bar - half95),
                    "hi95": min(1.0, p_bar + half95),
                    "lo998": lo998,
                    "hi998": hi998,
                    "signal": "high"
                    if decided(p) > decided(hi998)
                    else "low"
                    if decided(p) < decided(lo998)
                    else "within",
                }
            funnel[group] = {"category": category, "p_bar": p_bar, "targets": listed}

    return {"format": "appraisal-scoring-result/1", "targets": ordered, "funnel": funnel}


def exact_sum(values) -> Fraction:
    return sum(values, Fraction(0))
