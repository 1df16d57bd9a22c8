"""Random scoring inputs agree with an independent reference implementation (issue 5).

`reference.py` implements SCORING.md §3–§4 from the text in plain Python; `scoring` is the
vectorised implementation. Each seed generates one input document with numpy's Generator:
3–40 targets in 1–3 groups, 0–60 responses per target and category, a random subset of
categories, 2–5 indicators and 2–10 questions with random weights, points on the
0/25/50/75/100 grid or continuous, nulls, vetoes, every aggregate and random params. The
results must agree as SCORING.md defines agreement: same statuses, ranks, rank intervals,
grades and counts; numbers within 1e-9 absolute or 1e-9 relative, whichever is looser.

Values at a limit. How a number that is exact on paper rounds (a composite of 50 computed
as 49.99999999999999) is an open question of SCORING.md, and the order of operations
behind a composite is not specified. Grid points make such values common: a target whose
responses all score 50 has a composite of 50 ± an ulp or two that differs between the two
implementations, which decides a grade at fail_below = 50, the order of two targets that
tie on paper, and whether their difference is "significant" over a denominator of 1e-16.
So, rather than weakening the comparison:
- grade thresholds drawn as multiples of 5 get a small irrational offset (√2·1e-6), so a
  composite of grid points never lands on one;
- a document is redrawn (next attempt of the same seed) when the reference finds rated
  targets of one group whose composites are within the tolerance of each other without
  being equal by construction, a composite within the tolerance of a grade threshold, or a
  rank-interval statistic within the tolerance of z (`at_a_limit`);
- exact ties are still generated, robustly: a "twin" copies a target's responses (so both
  implementations compute the same bits for both), sometimes with one extra response in a
  category that stays insufficient, which exercises the tie-breaks on total n and on id.
Revision 2 documents (REVISION_2_SEEDS) decide on round(x, 9), so values at a limit on
paper are decided alike by both implementations: their grade limits are often left on the
grid, without the offset, and a redraw is needed only where a composite lies near a
rounding boundary of the ninth decimal or a rank-interval statistic is at z.
The satisfied threshold is left on the grid: a response's R is computed as the formulas
read (left to right, v normalised), which the worked examples pin down, and both agree.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from itertools import combinations
from typing import Any

import numpy as np
import pytest
from scipy import stats

import scoring

from .helpers import close, differences
from .reference import reference_score

SEEDS = range(40)
#: Seeds of documents scored by revision 2 (SCORING.md §3a).
REVISION_2_SEEDS = range(100, 120)
#: Redraws allowed before a seed is declared unusable (none needs more than a few).
ATTEMPTS = 20
GRID = np.array([0.0, 25.0, 50.0, 75.0, 100.0])
CATEGORY_NAMES = ["residents", "grassroots", "service_targets", "peers"]
GROUP_NAMES = ["unit", "service_point", "cadre"]
OFFSET = math.sqrt(2) * 1e-6


def _weight(rng: np.random.Generator) -> float:
    """A positive weight: a short decimal (as people type them) or an arbitrary float."""
    if rng.random() < 0.5:
        return float(rng.integers(1, 10)) / 10
    return float(rng.uniform(0.05, 3.0))


def _share(rng: np.random.Generator) -> float:
    """A number in [0, 1]: a short decimal (limits land exactly) or an arbitrary float."""
    if rng.random() < 0.5:
        return float(rng.integers(0, 21)) / 20
    return float(rng.uniform(0, 1))


def draw_document(rng: np.random.Generator, label: str) -> dict[str, Any]:
    # Categories: a random non-empty subset, random weights and minimum counts.
    count = int(rng.integers(1, len(CATEGORY_NAMES) + 1))
    names = [str(name) for name in rng.choice(CATEGORY_NAMES, size=count, replace=False)]
    categories = {
        name: {"weight": _weight(rng), "min_responses": int(rng.integers(0, 13))} for name in names
    }
    # Now and then weights in tenths summing to 1 and min_weight_share exactly the share of
    # some of them: the limit is met exactly, which float arithmetic gets wrong both ways
    # (0.7 + 0.1 < 0.8, 0.1 + 0.2 > 0.3).
    exact_share = None
    if count > 1 and rng.random() < 0.4:
        cuts = np.sort(rng.choice(np.arange(1, 10), size=count - 1, replace=False))
        tenths = np.diff(np.concatenate([[0], cuts, [10]]))
        for name, part in zip(names, tenths, strict=True):
            categories[name]["weight"] = int(part) / 10
        chosen = rng.random(count) < 0.5
        exact_share = int(tenths[chosen].sum()) / 10

    indicators = [{"id": f"ind{i}", "weight": _weight(rng)} for i in range(int(rng.integers(2, 6)))]
    questions = []
    for j in range(int(rng.integers(2, 11))):
        # The first questions cover the indicators in turn; the rest go anywhere, and now
        # and then an indicator keeps no question at all.
        if j < len(indicators) and rng.random() < 0.9:
            indicator = indicators[j]["id"]
        else:
            indicator = indicators[int(rng.integers(len(indicators)))]["id"]
        weight = float(rng.choice([1.0, 2.0, 0.5])) if rng.random() < 0.5 else _weight(rng)
        questions.append({"id": f"q{j}", "indicator": indicator, "weight": weight})

    group_count = int(rng.integers(1, 4))
    groups = [str(name) for name in rng.choice(GROUP_NAMES, size=group_count, replace=False)]
    state_group = group_count > 1 or rng.random() < 0.5  # else the default group "all"
    targets = []
    for t in range(int(rng.integers(3, 41))):
        target: dict[str, Any] = {"id": f"t{t:03d}", "name": f"Target {t}"}
        if state_group:
            target["group"] = groups[int(rng.integers(group_count))]
        if rng.random() < 0.7:
            target["veto"] = bool(rng.random() < 0.15)
        targets.append(target)

    # Responses: a quality per target moves its points; counts per category vary a lot.
    on_grid = rng.random() < 0.5
    null_rate = float(rng.choice([0.0, 0.1, 0.3]))
    empty_rate = float(rng.choice([0.0, 0.05, 0.2]))  # responses without any points
    responses = []
    for target in targets:
        quality = float(rng.beta(2, 1.5))
        spread = float(rng.choice([0.0, 0.05, 0.2, 0.4]))
        for name in names:
            if rng.random() < 0.2:
                continue  # no responses in this category
            n = int(rng.integers(0, 6)) if rng.random() < 0.3 else int(rng.integers(0, 61))
            for _ in range(n):
                points: dict[str, float | None] = {}
                empty = rng.random() < empty_rate
                for question in questions:
                    if empty or rng.random() < null_rate:
                        if rng.random() < 0.5:
                            points[question["id"]] = None  # else left out: null as well
                        continue
                    level = min(1.0, max(0.0, quality + spread * float(rng.standard_normal())))
                    if on_grid:
                        points[question["id"]] = float(GRID[round(level * 4)])
                    else:
                        points[question["id"]] = float(100 * level)
                responses.append({"target": target["id"], "category": name, "points": points})

    # Twins: a copy of a target's responses (same group), now and then with one more
    # response in a category that stays insufficient, so that it has the larger total n.
    twins: dict[str, str] = {}
    for _ in range(int(rng.choice([0, 0, 1, 3]))):
        original = targets[int(rng.integers(len(targets)))]
        twin = {**original, "id": f"t{len(targets):03d}", "name": f"Twin of {original['id']}"}
        if rng.random() < 0.3:
            twin["veto"] = not original.get("veto", False)
        targets.append(twin)
        twins[twin["id"]] = twins.get(original["id"], original["id"])
        copies = [
            {**response, "target": twin["id"]}
            for response in responses
            if response["target"] == original["id"]
        ]
        counts = Counter(
            response["category"]
            for response in copies
            if any(value is not None for value in response["points"].values())
        )
        short = [
            name for name in names if counts[name] + 1 < max(2, categories[name]["min_responses"])
        ]
        if short and rng.random() < 0.6:
            points = {question["id"]: float(rng.uniform(0, 100)) for question in questions}
            category = short[int(rng.integers(len(short)))]
            copies.append({"target": twin["id"], "category": category, "points": points})
        responses.extend(copies)

    # Ids not in input order; every response gets a unique id.
    targets = [targets[i] for i in rng.permutation(len(targets))]
    responses = [
        {"id": f"r{i}", **responses[j]} for i, j in enumerate(rng.permutation(len(responses)))
    ]

    if rng.random() < 0.5:
        limits = rng.choice(np.arange(40, 96, 5), size=3) + OFFSET  # off the grid
    else:
        limits = rng.uniform(40, 95, size=3)
    fail_below, basic_below, excellent_min = sorted(float(x) for x in limits)
    params: dict[str, Any] = {
        "categories": categories,
        "min_weight_share": _share(rng) if exact_share is None else exact_share,
        "aggregate": str(rng.choice(["mean", "trimmed_mean", "shrunk_mean"])),
        "trim": float(rng.choice([0.0, 0.1, 0.25, rng.integers(0, 50) / 100, rng.uniform(0, 0.5)])),
        "prior_strength": float(rng.choice([0.0, 5.0, 10.0, float(rng.uniform(0, 30))])),
        "satisfied_threshold": float(rng.choice([50.0, 60.0, 75.0, rng.uniform(30, 90)])),
        "confidence": float(rng.choice([0.9, 0.95, 0.99, float(rng.uniform(0.5, 0.999))])),
        "grades": {
            "fail_below": fail_below,
            "basic_below": basic_below,
            "excellent_min": excellent_min,
            "excellent_quota": float(rng.choice([_share(rng), rng.integers(0, 101) / 100])),
        },
        "bonus": {
            "coefficients": {
                "excellent": float(rng.choice([1.2, 1.5, float(rng.uniform(1, 2))])),
                "competent": 1.0,
                "basic": float(rng.choice([0.8, float(rng.uniform(0, 1))])),
                "incompetent": float(rng.choice([0.0, 0.0, float(rng.uniform(0, 0.5))])),
            },
            "pool": None if rng.random() < 0.4 else float(rng.choice([1e5, rng.uniform(0, 1e6)])),
        },
        "funnel_category": names[int(rng.integers(len(names)))],
    }
    # Now and then leave a default out (funnel_category only where "residents" exists).
    for key in ("trim", "prior_strength", "confidence", "min_weight_share", "bonus"):
        if rng.random() < 0.1:
            del params[key]
    if "residents" in names and rng.random() < 0.3:
        del params["funnel_category"]

    return {
        "format": "appraisal-scoring-input/1",
        # `campaign` is free metadata: it records the twins for `at_a_limit`.
        "campaign": {"code": label, "name": f"Random case {label}", "twins": twins},
        "params": params,
        "indicators": indicators,
        "questions": questions,
        "targets": targets,
        "responses": responses,
    }


def revise(rng: np.random.Generator, document: dict[str, Any]) -> dict[str, Any]:
    """The document as revision 2 states it: a quota rounding, and now and then the grade
    limits exactly on the grid (where composites of grid points land)."""
    params = document["params"]
    params["revision"] = 2
    if rng.random() < 0.8:
        params["grades"]["quota_rounding"] = str(rng.choice(["floor", "half_up", "ceil"]))
    if rng.random() < 0.5:
        limits = sorted(float(x) for x in rng.choice(np.arange(40, 96, 5), size=3))
        for name, limit in zip(("fail_below", "basic_below", "excellent_min"), limits, strict=True):
            params["grades"][name] = limit
        # A target whose every answer gives a limit: its composite is that limit on paper.
        chosen = document["targets"][int(rng.integers(len(document["targets"])))]["id"]
        limit = limits[int(rng.integers(3))]
        for response in document["responses"]:
            if response["target"] == chosen:
                points = response["points"]
                for question in points:
                    if points[question] is not None:
                        points[question] = limit
    return document


def unstable(value: float) -> bool:
    """Whether round(value, 9) could change with an ulp of the value's computation."""
    return round(value - 1e-11, 9) != round(value + 1e-11, 9)


def at_a_limit(document: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """Where the result decides something on a value within the tolerance of a limit, so
    that an ulp of rounding (not a reading of SCORING.md) could change a rank, a grade or
    a rank interval. Exact ties between a target and its twin are decided robustly."""
    twins = document["campaign"]["twins"]
    family = {t["id"]: twins.get(t["id"], t["id"]) for t in document["targets"]}
    grades = {**{"fail_below": 60, "basic_below": 70, "excellent_min": 85},
              **document["params"]["grades"]}  # fmt: skip
    confidence = document["params"].get("confidence", 0.95)
    z = float(stats.norm.ppf((1 + confidence) / 2))
    found = []
    rated = [t for t in result["targets"] if t["status"] == "rated"]
    if document["params"].get("revision", 1) == 2:
        for target in rated:
            residents = target["categories"].get("residents", {})
            values = [target["composite"]]
            if residents.get("sufficient"):
                values.append(residents["score"])
            if any(unstable(value) for value in values):
                found.append(f"{target['id']}: a value near a rounding boundary")
        for a, b in combinations(rated, 2):
            denominator = math.sqrt(a["se"] ** 2 + b["se"] ** 2)
            difference = round(a["composite"], 9) - round(b["composite"], 9)
            if (
                a["group"] == b["group"]
                and denominator > 0
                and close(abs(difference) / denominator, z)
            ):
                found.append(f"{a['id']}, {b['id']}: rank-interval statistic at z")
        return found
    for target in rated:
        for name in ("fail_below", "basic_below", "excellent_min"):
            if close(target["composite"], grades[name]):
                found.append(f"{target['id']}: composite {target['composite']!r} at {name}")
    for a, b in combinations(rated, 2):
        if a["group"] != b["group"]:
            continue
        ca, cb = a["composite"], b["composite"]
        if close(ca, cb) and not (ca == cb and family[a["id"]] == family[b["id"]]):
            found.append(f"{a['id']}, {b['id']}: composites {ca!r}, {cb!r} tie within 1e-9")
        denominator = math.sqrt(a["se"] ** 2 + b["se"] ** 2)
        if denominator > 0 and close(abs(ca - cb) / denominator, z):
            found.append(f"{a['id']}, {b['id']}: rank-interval statistic at z")
    return found


def make_document(seed: int, revision: int = 1) -> dict[str, Any]:
    """The first document drawn for `seed` that decides nothing at a limit."""
    for attempt in range(ATTEMPTS):
        rng = np.random.default_rng([seed, attempt])
        document = draw_document(rng, f"seed-{seed}-{attempt}")
        if revision == 2:
            document = revise(rng, document)
        if not at_a_limit(document, reference_score(document)):
            return document
    raise AssertionError(f"seed {seed}: every attempt decides something at a limit")


def summary(result: dict[str, Any]) -> list[tuple]:
    return [
        (t["id"], t["group"], t["status"], t["rank"], t["rank_interval"], t["grade"])
        for t in result["targets"]
    ]


@pytest.mark.parametrize(
    ("seed", "revision"),
    [(seed, 1) for seed in SEEDS] + [(seed, 2) for seed in REVISION_2_SEEDS],
)
def test_random_case_agrees_with_the_reference(seed, revision):
    document = make_document(seed, revision)
    actual = scoring.score(document)
    expected = reference_score(document)
    assert summary(actual) == summary(expected)
    actual = {key: value for key, value in actual.items() if key != "input_sha256"}
    assert differences(actual, expected) == []


def test_the_random_cases_cover_the_specification():
    """The seeds reach what the comparison is meant to exercise."""
    seen: Counter = Counter()
    for seed in SEEDS:
        document = make_document(seed)
        params = document["params"]
        result = reference_score(document)
        twins = document["campaign"]["twins"]
        seen[params["aggregate"]] += 1
        seen["pool" if params.get("bonus", {}).get("pool") is not None else "no pool"] += 1
        seen[f"{len({t.get('group', 'all') for t in document['targets']})} groups"] += 1
        seen["grid" if all(
            p is None or p % 25 == 0 for r in document["responses"] for p in r["points"].values()
        ) else "continuous"] += 1  # fmt: skip
        by_id = {t["id"]: t for t in result["targets"]}
        categories = params["categories"]
        total = sum(Fraction(repr(c["weight"])) for c in categories.values())
        share = Fraction(repr(params.get("min_weight_share", 0.5)))
        for target in result["targets"]:
            seen[target["status"]] += 1
            seen[target["grade"]] += 1
            if target["status"] == "insufficient" and target["composite"] is not None:
                seen["insufficient with composite"] += 1
            if target["rank_interval"] and target["rank_interval"][0] != target["rank_interval"][1]:
                seen["uncertain rank"] += 1
            if target["se"] == 0:
                seen["composite se 0"] += 1
            sufficient = [c for c, e in target["categories"].items() if e["sufficient"]]
            w_k = sum(Fraction(repr(categories[c]["weight"])) for c in sufficient)
            if sufficient and w_k == share * total:
                seen["weight share exactly at the limit"] += 1
                float_w_k = sum(categories[c]["weight"] for c in sufficient)
                float_total = sum(c["weight"] for c in categories.values())
                if float_w_k < params.get("min_weight_share", 0.5) * float_total:
                    seen["rated although floats say short"] += 1
            for entry in target["categories"].values():
                seen[f"n={min(entry['n'], 2)}"] += 1
                if entry["n"] >= 2 and entry["ci"] is None:
                    seen["se without ci"] += 1
            original = twins.get(target["id"])
            if original and target["rank"] is not None and by_id[original]["rank"] is not None:
                seen["ranked twins"] += 1
                n_twin = sum(e["n"] for e in target["categories"].values())
                n_original = sum(e["n"] for e in by_id[original]["categories"].values())
                seen["twins tie-broken on n" if n_twin != n_original else "on id"] += 1
        for funnel in result["funnel"].values():
            for point in funnel["targets"].values():
                seen[point["signal"]] += 1
    needed = [
        "mean", "trimmed_mean", "shrunk_mean", "pool", "no pool", "grid", "continuous",
        "1 groups", "2 groups", "3 groups",
        "rated", "insufficient", "insufficient with composite", "weight share exactly at the limit",
        "rated although floats say short",
        "excellent", "competent", "basic", "incompetent", "uncertain rank", "composite se 0",
        "n=0", "n=1", "n=2", "se without ci", "high", "low", "within",
        "twins tie-broken on n", "on id",
    ]  # fmt: skip
    assert [item for item in needed if not seen[item]] == [], seen


def test_the_revision_2_cases_reach_its_rules():
    """Grades decided on a limit met on paper, clipped intervals, each quota rounding."""
    seen: Counter = Counter()
    for seed in REVISION_2_SEEDS:
        document = make_document(seed, 2)
        grades = document["params"]["grades"]
        seen[grades.get("quota_rounding", "floor")] += 1
        result = reference_score(document)
        limits = [grades[name] for name in ("fail_below", "basic_below", "excellent_min")]
        for target in result["targets"]:
            if target["status"] != "rated":
                continue
            if any(round(target["composite"], 9) == limit for limit in limits):
                seen["composite on a limit"] += 1
                if target["composite"] not in limits:
                    seen["composite on a limit only after rounding"] += 1
            if target["ci"] and 100.0 in target["ci"]:
                seen["clipped"] += 1
    needed = ["floor", "half_up", "ceil", "composite on a limit", "clipped"]
    assert [item for item in needed if not seen[item]] == [], seen
