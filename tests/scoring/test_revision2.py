"""Revision 2 (SCORING.md §3a): decisions on r(x) = round(x, 9), intervals clipped to
[0, 100], the quota's rounding; and that revision 1 decides as before."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import scoring
from scoring import ScoringInputError
from scoring.rounding import at_least, rounded

from .helpers import by_id, document

RESIDENTS_ONLY = {"residents": {"weight": 1.0, "min_responses": 2}}


def revised(doc: dict[str, Any], **grades: Any) -> dict[str, Any]:
    """The same document scored by revision 2 (with these grades settings)."""
    doc = copy.deepcopy(doc)
    doc["params"]["revision"] = 2
    doc["params"].setdefault("grades", {}).update(grades)
    return doc


def on_paper_sixty() -> dict[str, Any]:
    """Target "a": every response gives 60 to two questions weighted 0.1 and 0.2 of one
    indicator, so R = (0.1·60 + 0.2·60)/(0.1 + 0.2) = 60 on paper, 59.99999999999999 in
    floats. Target "b": every response answers only the first question: 60 exactly.
    Both have se 0 (all responses equal); "a" has one response more."""
    doc = document(
        {("a", "residents"): [60] * 4, ("b", "residents"): [60] * 3},
        categories=RESIDENTS_ONLY,
        params={"grades": {"fail_below": 60, "basic_below": 60, "excellent_min": 60}},
    )
    doc["questions"] = [
        {"id": "q", "indicator": "i", "weight": 0.1},
        {"id": "q2", "indicator": "i", "weight": 0.2},
    ]
    for response in doc["responses"]:
        if response["target"] == "a":
            response["points"]["q2"] = 60
    return doc


def test_a_limit_met_on_paper_is_met_in_revision_2_and_not_in_revision_1():
    doc = on_paper_sixty()
    first = by_id(scoring.score(doc))
    assert first["a"]["composite"] == 59.99999999999999
    assert first["b"]["composite"] == 60.0
    # Revision 1 decides on the floats: "a" is not satisfied and fails; "b" is ahead, and
    # the difference counts as significant (denominator 0).
    assert first["a"]["categories"]["residents"]["satisfaction_rate"] == 0.0
    assert (first["a"]["grade"], first["b"]["grade"]) == ("incompetent", "competent")
    assert (first["b"]["rank"], first["a"]["rank"]) == (1, 2)
    assert (first["b"]["rank_interval"], first["a"]["rank_interval"]) == ([1, 1], [2, 2])

    second = by_id(scoring.score(revised(doc, excellent_quota=0)))
    # The numbers reported are not rounded.
    assert second["a"]["composite"] == 59.99999999999999
    assert second["a"]["categories"]["residents"]["satisfaction_rate"] == 1.0
    assert (second["a"]["grade"], second["b"]["grade"]) == ("competent", "competent")
    # Equal r(C): no significant difference; the tie is broken by n (a has more).
    assert (second["a"]["rank"], second["b"]["rank"]) == (1, 2)
    assert second["a"]["rank_interval"] == second["b"]["rank_interval"] == [1, 2]


def test_intervals_are_clipped_to_the_scale_in_revision_2_only():
    doc = document(
        {("a", "residents"): [0, 100], ("a", "grassroots"): [95, 100, 100]},
        categories={
            "residents": {"weight": 0.5, "min_responses": 2},
            "grassroots": {"weight": 0.5, "min_responses": 2},
        },
    )
    first = by_id(scoring.score(doc))["a"]
    second = by_id(scoring.score(revised(doc)))["a"]
    low, high = first["categories"]["residents"]["ci"]
    assert low < 0 and high > 100
    assert second["categories"]["residents"]["ci"] == [0.0, 100.0]
    assert first["categories"]["grassroots"]["ci"][1] > 100
    assert second["categories"]["grassroots"]["ci"] == [
        first["categories"]["grassroots"]["ci"][0],
        100.0,
    ]
    assert first["ci"][1] > 100  # 25.1–123.2, the kind of interval a cadre page showed
    assert second["ci"] == [first["ci"][0], 100.0]
    for category in ("residents", "grassroots"):
        assert second["categories"][category]["se"] == first["categories"][category]["se"]
    assert second["se"] == first["se"]


def quota_document(count: int, quota: float) -> dict[str, Any]:
    """`count` rated targets, all scoring 90 (excellent but for the quota)."""
    scores = {(f"t{i}", "residents"): [90, 90 - i] for i in range(count)}
    return document(
        scores, categories=RESIDENTS_ONLY, params={"grades": {"excellent_quota": quota}}
    )


def excellent(result: dict[str, Any]) -> int:
    return sum(target["grade"] == "excellent" for target in result["targets"])


@pytest.mark.parametrize(
    ("count", "quota", "floor", "half_up", "ceil"),
    [
        (5, 0.5, 2, 3, 3),  # 2.5
        (5, 0.3, 1, 2, 2),  # 1.5
        (5, 0.41, 2, 2, 3),  # 2.05
        (10, 0.7, 7, 7, 7),  # 0.7·10 = 7.000000000000001 in floats; ⌈⌉ of it would be 8
        (21, 0.11904761904761904, 2, 3, 3),  # 2.5 on paper, 2.4999999999999996 in floats
        (4, 0, 0, 0, 0),
        (4, 1, 4, 4, 4),
    ],
)
def test_quota_rounding_each_way(count, quota, floor, half_up, ceil):
    doc = quota_document(count, quota)
    assert excellent(scoring.score(revised(doc))) == floor  # the default
    for rounding, places in (("floor", floor), ("half_up", half_up), ("ceil", ceil)):
        assert excellent(scoring.score(revised(doc, quota_rounding=rounding))) == places, rounding
    # Revision 1 floors the stated decimals exactly.
    assert excellent(scoring.score(doc)) == floor


def test_the_weight_share_is_decided_on_rounded_sums():
    # 0.7 + 0.1 < 0.8 in floats: rated on paper, in both revisions (revision 1 exactly).
    categories = {
        "residents": {"weight": 0.7, "min_responses": 2},
        "grassroots": {"weight": 0.1, "min_responses": 2},
        "service_targets": {"weight": 0.2, "min_responses": 2},
    }
    doc = document(
        {("a", "residents"): [70, 80], ("a", "grassroots"): [70, 80]},
        categories=categories,
        params={"min_weight_share": 0.8},
    )
    assert 0.7 + 0.1 < 0.8 * (0.7 + 0.1 + 0.2)
    assert by_id(scoring.score(doc))["a"]["status"] == "rated"
    assert by_id(scoring.score(revised(doc)))["a"]["status"] == "rated"
    doc["params"]["min_weight_share"] = 0.81
    assert by_id(scoring.score(revised(doc)))["a"]["status"] == "insufficient"


def test_the_funnel_signal_is_decided_on_rounded_values():
    # p̄ = 0.5; a target with n = 4 whose rate equals its 99.8% limit in exact arithmetic
    # cannot be made from counts, so check the rule directly on the result's numbers.
    doc = document(
        {("a", "residents"): [100] * 20, ("b", "residents"): [0] * 20, ("c", "residents"): [70, 0]},
        categories=RESIDENTS_ONLY,
    )
    funnel = scoring.score(revised(doc))["funnel"]["all"]["targets"]
    for point in funnel.values():
        p, low, high = (round(point[key], 9) for key in ("p", "lo998", "hi998"))
        expected = "high" if p > high else "low" if p < low else "within"
        assert point["signal"] == expected
    assert {point["signal"] for point in funnel.values()} == {"high", "low", "within"}


def test_rounding_agrees_with_python_where_numpy_does_not():
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [rng.uniform(0, 100, 20_000), np.arange(2_000) * 1e-3 + 5e-10, [59.99999999999999]]
    )
    exact = np.array([round(float(value), 9) for value in values])
    assert (rounded(values) == exact).all()
    assert (np.round(values, 9) != exact).any(), "numpy.round would decide differently"
    for limit in (60.0, 0.0015, 50.0):
        assert (at_least(values, limit) == (exact >= limit)).all()
    assert not at_least(np.array([np.nan]), 0.0)[0]


def base() -> dict[str, Any]:
    return revised(document({("a", "residents"): [50, 60]}, categories=RESIDENTS_ONLY))


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"revision": 3}, "params.revision", "must be 1 or 2, not 3"),
        ({"revision": "2"}, "params.revision", 'must be 1 or 2, not "2"'),
        ({"revision": True}, "params.revision", "must be 1 or 2, not true"),
        ({"revision": 2.0}, "params.revision", "must be 1 or 2, not 2.0"),
        (
            {"grades": {"quota_rounding": "round"}},
            "params.grades.quota_rounding",
            'must be one of "floor", "half_up", "ceil", not "round"',
        ),
        (
            {"grades": {"quota_rounding": None}},
            "params.grades.quota_rounding",
            'must be one of "floor", "half_up", "ceil", not null',
        ),
        (
            {"revision": 1, "grades": {"quota_rounding": "ceil"}},
            "params.grades.quota_rounding",
            "needs revision 2 (set params.revision to 2)",
        ),
        (
            {"grades": {"rounding": "ceil"}},
            "params.grades.rounding",
            'unknown key "rounding"',
        ),
    ],
)
def test_new_params_are_validated(change, path, message):
    doc = base()
    doc["params"].update(change)
    with pytest.raises(ScoringInputError) as raised:
        scoring.validate(doc)
    assert (raised.value.path, raised.value.message) == (path, message)


def test_revision_is_1_when_absent_and_quota_rounding_floor():
    doc = base()
    del doc["params"]["revision"]
    params = scoring.validate(doc).params
    assert (params.revision, params.quota_rounding) == (1, "floor")
    params = scoring.validate(base()).params
    assert (params.revision, params.quota_rounding) == (2, "floor")
