"""Properties over generated scoring inputs (hypothesis): order and scale of the input do
not matter, the mean responds to a better response, the quota and the veto hold."""

from __future__ import annotations

import copy
import itertools
import json
import math
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import scoring

from .helpers import close

SETTINGS = settings(max_examples=80, deadline=None)
CATEGORY_NAMES = ("residents", "grassroots", "service_targets")
#: Points of a five-level scale, as the app maps them.
GRID_POINTS = st.sampled_from((0, 25, 50, 75, 100))
#: Mostly top marks, so that many targets reach the excellent band.
HIGH_POINTS = st.sampled_from((75, 100, 100, 100))
#: Limits no generated score can sit on, for the tests that compare floating-point
#: results computed two ways (see test_scaling_by_any_factor_changes_no_number).
ODD_LIMITS = {
    "satisfied_threshold": 61.23456789,
    "grades": {"fail_below": 59.87654321, "basic_below": 70.1234567, "excellent_min": 84.9876543},
    "min_weight_share": 0.4567,
}


@st.composite
def documents(
    draw: st.DrawFn,
    aggregate: str | None = None,
    points: st.SearchStrategy[float] = GRID_POINTS,
    odd_limits: bool = False,
) -> dict[str, Any]:
    indicators = [
        {"id": f"i{k}", "weight": float(draw(st.integers(1, 10)))}
        for k in range(draw(st.integers(1, 3)))
    ]
    questions = [
        {
            "id": f"q{j}",
            "indicator": draw(st.sampled_from(indicators))["id"],
            "weight": float(draw(st.integers(1, 5))),
        }
        for j in range(draw(st.integers(1, 4)))
    ]
    names = draw(st.lists(st.sampled_from(CATEGORY_NAMES), min_size=1, max_size=3, unique=True))
    categories = {
        name: {"weight": float(draw(st.integers(1, 10))), "min_responses": draw(st.integers(0, 4))}
        for name in names
    }
    groups = draw(st.lists(st.sampled_from(["unit", "cadre", "all"]), min_size=1, unique=True))
    numbers = draw(st.lists(st.integers(0, 999), min_size=1, max_size=7, unique=True))
    targets = [
        {
            "id": f"t{number:03d}",
            "name": f"目标 {number}",
            "group": draw(st.sampled_from(groups)),
            "veto": draw(st.booleans()) and draw(st.booleans()),
        }
        for number in numbers
    ]
    responses = []
    for r in range(draw(st.integers(0, 60))):
        answers = {}
        for question in questions:
            kind = draw(st.sampled_from(["points", "points", "points", "null", "absent"]))
            if kind == "points":
                answers[question["id"]] = draw(points)
            elif kind == "null":
                answers[question["id"]] = None
        responses.append(
            {
                "id": f"r{r}",
                "target": draw(st.sampled_from(targets))["id"],
                "category": draw(st.sampled_from(names)),
                "points": answers,
            }
        )
    params: dict[str, Any] = {
        "categories": categories,
        "aggregate": aggregate or draw(st.sampled_from(scoring.AGGREGATES)),
        "trim": draw(st.sampled_from([0, 0.1, 0.25, 0.4])),
        "prior_strength": draw(st.sampled_from([0, 5, 10])),
        "confidence": draw(st.sampled_from([0.9, 0.95])),
        "min_weight_share": draw(st.sampled_from([0, 0.5, 1])),
        "grades": {"excellent_quota": draw(st.sampled_from([0, 0.2, 0.29, 0.5, 1]))},
        "bonus": {"pool": draw(st.sampled_from([None, 1000.0]))},
        "funnel_category": draw(st.sampled_from(names)),
    }
    if odd_limits:
        params.update(copy.deepcopy(ODD_LIMITS))
        params["grades"]["excellent_quota"] = 0.5
    return {
        "format": scoring.INPUT_FORMAT,
        "campaign": {"code": "p"},
        "params": params,
        "indicators": indicators,
        "questions": questions,
        "targets": targets,
        "responses": responses,
    }


def by_group(result: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The result as bytes per group: its targets in order, and its funnel."""
    targets: dict[str, list[str]] = {}
    for target in result["targets"]:
        targets.setdefault(target["group"], []).append(json.dumps(target, ensure_ascii=False))
    funnel = {group: json.dumps(value) for group, value in result["funnel"].items()}
    return targets, funnel


def without_hash(result: dict[str, Any]) -> str:
    return scoring.dumps_result({**result, "input_sha256": None})


@SETTINGS
@given(documents(), st.randoms(use_true_random=False))
def test_permuting_responses_and_targets_changes_nothing(doc, random):
    result = scoring.score(doc)
    shuffled = copy.deepcopy(doc)
    random.shuffle(shuffled["responses"])
    random.shuffle(shuffled["targets"])
    for response in shuffled["responses"]:
        items = list(response["points"].items())
        random.shuffle(items)
        response["points"] = dict(items)
    again = scoring.score(shuffled)
    # Bit for bit, group by group; only the order of the groups follows the input.
    assert by_group(again) == by_group(result)


@SETTINGS
@given(
    documents(),
    st.integers(-8, 8),
    st.integers(-8, 8),
)
def test_scaling_weights_by_a_power_of_two_changes_no_bit(doc, category_power, indicator_power):
    result = scoring.score(doc)
    scaled = copy.deepcopy(doc)
    for category in scaled["params"]["categories"].values():
        category["weight"] *= 2.0**category_power
    for indicator in scaled["indicators"]:
        indicator["weight"] *= 2.0**indicator_power
    assert without_hash(scoring.score(scaled)) == without_hash(result)


def numbers_agree(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            numbers_agree(actual[key], expected[key]) for key in expected
        )
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(
            numbers_agree(a, e) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(expected, float):
        return isinstance(actual, float) and close(actual, expected)
    return actual == expected


def near_tie(result: dict[str, Any]) -> bool:
    """Whether two rated composites of a group, or a composite and a grade limit, are
    within 1e-9: there rounding may decide an order either way."""
    limits = [ODD_LIMITS["grades"][key] for key in ("fail_below", "basic_below", "excellent_min")]
    composites: dict[str, list[float]] = {}
    for target in result["targets"]:
        if target["status"] == "rated":
            composites.setdefault(target["group"], []).append(target["composite"])
    for values in composites.values():
        ordered = sorted(values)
        if any(b - a <= 1e-9 for a, b in itertools.pairwise(ordered)):
            return True
        if any(abs(value - limit) <= 1e-9 for value in values for limit in limits):
            return True
    return False


@SETTINGS
@given(
    documents(points=st.floats(0, 100), odd_limits=True),
    st.floats(0.01, 100),
    st.floats(0.01, 100),
)
def test_scaling_weights_by_any_factor_changes_nothing_beyond_rounding(
    doc, category_factor, indicator_factor
):
    """Scaled weights are other binary numbers, so results may differ in the last bits:
    every number agrees within SCORING.md's tolerance and, away from exact ties, every
    rank, grade, status and count is the same (the limits are chosen so that no score
    sits on one)."""
    result = scoring.score(doc)
    scaled = copy.deepcopy(doc)
    for category in scaled["params"]["categories"].values():
        category["weight"] *= category_factor
    for indicator in scaled["indicators"]:
        indicator["weight"] *= indicator_factor
    again = scoring.score(scaled)
    if near_tie(result):
        for key in ("rank", "rank_interval", "grade", "bonus_coefficient", "bonus_amount"):
            for target in (*result["targets"], *again["targets"]):
                target[key] = None
        result["targets"].sort(key=lambda target: target["id"])
        again["targets"].sort(key=lambda target: target["id"])
    assert numbers_agree({**again, "input_sha256": None}, {**result, "input_sha256": None})


@SETTINGS
@given(documents(aggregate="mean"), st.data())
def test_mean_never_falls_when_a_better_response_is_added(doc, data):
    result = scoring.score(doc)
    scored = [
        (target["id"], name, values["score"])
        for target in result["targets"]
        for name, values in target["categories"].items()
        if values["n"] > 0
    ]
    assume(scored)
    target, category, before = data.draw(st.sampled_from(scored))
    # At least 1e-9 above: far beyond the rounding of a response score (~1e-14).
    assume(before + 1e-9 < 100)
    value = data.draw(st.floats(before + 1e-9, 100))
    doc["responses"].append(
        {
            "id": "added",
            "target": target,
            "category": category,
            "points": {question["id"]: value for question in doc["questions"]},
        }
    )
    after = {t["id"]: t for t in scoring.score(doc)["targets"]}[target]["categories"][category]
    assert after["score"] >= before


@SETTINGS
@given(st.one_of(documents(), documents(points=HIGH_POINTS)))
def test_excellent_never_exceeds_the_quota_and_veto_is_incompetent(doc):
    result = scoring.score(doc)
    quota = Fraction(repr(doc["params"]["grades"]["excellent_quota"]))
    vetoed = {target["id"] for target in doc["targets"] if target["veto"]}
    rated: dict[str, list[dict]] = {}
    for target in result["targets"]:
        if target["id"] in vetoed:
            assert target["grade"] in ("incompetent", None)
            assert target["bonus_coefficient"] in (None, 0.0)
        if target["status"] == "rated":
            rated.setdefault(target["group"], []).append(target)
    for targets in rated.values():
        excellent = sum(target["grade"] == "excellent" for target in targets)
        assert excellent <= math.floor(quota * len(targets))
        assert [target["rank"] for target in targets] == list(range(1, len(targets) + 1))
        for target in targets:
            low, high = target["rank_interval"]
            assert 1 <= low <= target["rank"] <= high <= len(targets)
        if doc["params"]["bonus"]["pool"] is not None:
            total = sum(target["bonus_amount"] for target in targets)
            paying = any(target["bonus_coefficient"] > 0 for target in targets)
            assert close(total, 1000.0 if paying else 0.0)


@SETTINGS
@given(documents())
def test_arrays_and_document_give_the_same_bytes(doc):
    questions = [question["id"] for question in doc["questions"]]
    targets = [target["id"] for target in doc["targets"]]
    categories = list(doc["params"]["categories"])
    points = np.full((len(doc["responses"]), len(questions)), np.nan)
    for row, response in enumerate(doc["responses"]):
        for question, value in response["points"].items():
            if value is not None:
                points[row, questions.index(question)] = value
    result = scoring.score_arrays(
        doc["params"],
        doc["indicators"],
        doc["questions"],
        doc["targets"],
        np.array([targets.index(r["target"]) for r in doc["responses"]], dtype=np.int64),
        np.array([categories.index(r["category"]) for r in doc["responses"]], dtype=np.int64),
        points,
        input_sha256=scoring.input_sha256(doc),
    )
    assert scoring.dumps_result(result) == scoring.dumps_result(scoring.score(doc))
