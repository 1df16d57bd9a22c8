"""Each formula of SCORING.md §3 on tiny cases computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import scoring
from scoring.points import indicator_scores, response_scores

from .helpers import by_id, document

# Student t quantiles (97.5%, two-sided 95%) for 2 and 7 degrees of freedom, as scipy
# gives them; printed tables: 4.303 and 2.365.
T975_DF2 = 4.302652729749462
T975_DF7 = 2.364624251592784
Z975 = 1.959963984540054  # Φ⁻¹(0.975)


def approx(value: float) -> pytest.approx:
    return pytest.approx(value, rel=1e-12, abs=1e-12)


# -- response score ------------------------------------------------------------------------


def test_response_score_weights_questions_then_indicators():
    # attitude (0.4): q1 weight 1, q2 weight 3; efficiency (0.6): q3 weight 1.
    points = np.array(
        [
            [100.0, 0.0, 50.0],  # I_att = 100/4 = 25, I_eff = 50: R = 10 + 30 = 40
            [np.nan, np.nan, 80.0],  # only efficiency: R = 80
            [20.0, np.nan, np.nan],  # only attitude, one question: R = 20
            [np.nan, np.nan, np.nan],  # no points: no score
        ]
    )
    per_indicator = indicator_scores(points, [0, 0, 1], [1.0, 3.0, 1.0], 2)
    assert per_indicator[0].tolist() == [25.0, 50.0]
    assert per_indicator[1, 1] == 80.0 and math.isnan(per_indicator[1, 0])
    assert per_indicator[2, 0] == 20.0 and math.isnan(per_indicator[2, 1])
    scores = response_scores(per_indicator, [0.4, 0.6])
    assert scores[:3].tolist() == [approx(40.0), 80.0, 20.0]
    assert math.isnan(scores[3])


def test_response_without_points_is_not_counted():
    result = scoring.score(document({("a", "residents"): [40, None, 80, None]}))
    residents = by_id(result)["a"]["categories"]["residents"]
    assert residents["n"] == 2
    assert residents["score"] == 60.0


def test_null_and_absent_points_are_the_same():
    doc = document({("a", "residents"): [40, 80]})
    doc["questions"].append({"id": "extra", "indicator": "i", "weight": 5.0})
    doc["responses"][0]["points"]["extra"] = None
    result = scoring.score(doc)
    assert by_id(result)["a"]["categories"]["residents"]["score"] == 60.0


# -- category scores -----------------------------------------------------------------------


def test_mean_with_t_interval():
    result = scoring.score(document({("a", "residents"): [40, 60, 80]}))
    residents = by_id(result)["a"]["categories"]["residents"]
    se = 20 / math.sqrt(3)  # s = 20
    assert residents["n"] == 3
    assert residents["score"] == approx(60.0)
    assert residents["se"] == approx(se)
    assert residents["ci"] == [approx(60 - T975_DF2 * se), approx(60 + T975_DF2 * se)]


def test_single_response_has_no_se_or_ci():
    result = scoring.score(document({("a", "residents"): [70]}))
    residents = by_id(result)["a"]["categories"]["residents"]
    assert (residents["n"], residents["score"], residents["se"], residents["ci"]) == (
        1,
        70.0,
        None,
        None,
    )


def test_category_without_responses_still_appears():
    result = scoring.score(document({("a", "residents"): [70, 80]}))
    assert by_id(result)["a"]["categories"]["grassroots"] == {
        "n": 0,
        "score": None,
        "se": None,
        "ci": None,
        "sufficient": False,
        "satisfaction_rate": None,
        "satisfaction_ci": None,
        "indicators": {},
    }


def test_trimmed_mean_winsorised_se():
    # n = 10, trim 0.1: g = 1; kept 10..80, mean 45; winsorised 10,10,20,…,80,80: mean 45,
    # squared deviations 4·35² + 2·25² + 2·15² + 2·5² = 6650, s_w² = 6650/9; df = 7.
    scores = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
    result = scoring.score(
        document({("a", "residents"): scores[::-1]}, params={"aggregate": "trimmed_mean"})
    )
    residents = by_id(result)["a"]["categories"]["residents"]
    se = math.sqrt(6650 / 9) / (0.8 * math.sqrt(10))
    assert residents["score"] == approx(45.0)
    assert residents["se"] == approx(se)
    assert residents["ci"] == [approx(45 - T975_DF7 * se), approx(45 + T975_DF7 * se)]


def test_trimmed_mean_cuts_as_scipy_trim_mean():
    from scipy import stats

    scores = [3, 99, 41, 41, 7, 66, 12, 85, 50, 23, 70, 14, 91, 38]  # n = 14, trim 0.25: g = 3
    result = scoring.score(
        document(
            {("a", "residents"): scores},
            params={"aggregate": "trimmed_mean", "trim": 0.25},
        )
    )
    residents = by_id(result)["a"]["categories"]["residents"]
    assert residents["score"] == approx(stats.trim_mean(scores, 0.25))
    ordered = sorted(scores)
    winsorised = [ordered[3]] * 3 + ordered[3:11] + [ordered[10]] * 3
    s_w = float(np.std(winsorised, ddof=1))
    assert residents["se"] == approx(s_w / ((1 - 6 / 14) * math.sqrt(14)))
    half = residents["ci"][1] - residents["score"]
    assert half == approx(stats.t.ppf(0.975, 14 - 6 - 1) * residents["se"])


def test_trimmed_mean_without_degrees_of_freedom_has_no_ci():
    # n = 5, trim 0.4: g = 2, df = 5 − 4 − 1 = 0: SE exists, CI does not.
    result = scoring.score(
        document(
            {("a", "residents"): [10, 20, 30, 40, 50]},
            params={"aggregate": "trimmed_mean", "trim": 0.4},
        )
    )
    residents = by_id(result)["a"]["categories"]["residents"]
    assert residents["score"] == 30.0
    assert residents["se"] is not None
    assert residents["ci"] is None


def test_shrunk_mean_towards_the_groups_category_mean():
    # Group "g": a has 40, 60, 80 and b has 100, 100: μ = 380/5 = 76. Target c in another
    # group does not move μ. k = 10: S_a = (3·60 + 10·76)/13 = 940/13; SE = 20·√3/13.
    targets = [
        {"id": "a", "name": "A", "group": "g"},
        {"id": "b", "name": "B", "group": "g"},
        {"id": "c", "name": "C", "group": "other"},
    ]
    scores = {
        ("a", "residents"): [40, 60, 80],
        ("b", "residents"): [100, 100],
        ("c", "residents"): [0, 0],
    }
    result = by_id(
        scoring.score(document(scores, targets=targets, params={"aggregate": "shrunk_mean"}))
    )
    residents = result["a"]["categories"]["residents"]
    se = 20 * math.sqrt(3) / 13
    assert residents["score"] == approx(940 / 13)
    assert residents["se"] == approx(se)
    assert residents["ci"] == [approx(940 / 13 - Z975 * se), approx(940 / 13 + Z975 * se)]
    assert result["b"]["categories"]["residents"]["score"] == approx((200 + 760) / 12)
    assert result["c"]["categories"]["residents"]["score"] == 0.0  # μ of its group is 0


def test_shrunk_mean_with_zero_prior_strength_is_the_mean():
    result = scoring.score(
        document(
            {("a", "residents"): [40, 60, 80], ("b", "residents"): [0, 0]},
            params={"aggregate": "shrunk_mean", "prior_strength": 0},
        )
    )
    assert by_id(result)["a"]["categories"]["residents"]["score"] == approx(60.0)


@pytest.mark.parametrize(
    ("min_responses", "n", "sufficient"),
    [(0, 1, False), (0, 2, True), (1, 2, True), (3, 2, False), (3, 3, True)],
)
def test_sufficient_when_n_reaches_max_of_2_and_min_responses(min_responses, n, sufficient):
    categories = {"residents": {"weight": 1.0, "min_responses": min_responses}}
    result = scoring.score(document({("a", "residents"): [50] * n}, categories=categories))
    assert by_id(result)["a"]["categories"]["residents"]["sufficient"] is sufficient


def test_satisfaction_rate_counts_scores_at_the_threshold_with_wilson_interval():
    result = scoring.score(document({("a", "residents"): [40, 60, 80]}))
    residents = by_id(result)["a"]["categories"]["residents"]
    assert residents["satisfaction_rate"] == approx(2 / 3)
    # Wilson in the form (k + z²/2)/(n + z²) ± z·√n/(n + z²)·√(p(1 − p) + z²/4n).
    k, n, z = 2, 3, Z975
    p = k / n
    centre = (k + z * z / 2) / (n + z * z)
    half = z * math.sqrt(n) / (n + z * z) * math.sqrt(p * (1 - p) + z * z / (4 * n))
    assert residents["satisfaction_ci"] == [approx(centre - half), approx(centre + half)]


def test_satisfaction_interval_at_the_ends_stays_in_0_1():
    result = by_id(
        scoring.score(document({("a", "residents"): [0, 0, 0], ("b", "residents"): [90, 90]}))
    )
    assert result["a"]["categories"]["residents"]["satisfaction_rate"] == 0.0
    low, high = result["a"]["categories"]["residents"]["satisfaction_ci"]
    assert low == 0.0 and high == approx(Z975**2 / (3 + Z975**2))
    low, high = result["b"]["categories"]["residents"]["satisfaction_ci"]
    assert low == approx(2 / (2 + Z975**2)) and high == 1.0


def test_satisfied_threshold_and_confidence_are_parameters():
    result = scoring.score(
        document(
            {("a", "residents"): [40, 60, 80]},
            params={"satisfied_threshold": 70, "confidence": 0.9},
        )
    )
    residents = by_id(result)["a"]["categories"]["residents"]
    assert residents["satisfaction_rate"] == approx(1 / 3)
    t95_df2 = 2.9199855803537242  # 90% two-sided; tables: 2.920
    assert residents["ci"][1] - 60 == approx(t95_df2 * 20 / math.sqrt(3))


def test_category_indicator_scores_are_plain_means():
    doc = document({("a", "residents"): [0, 0, 0]}, params={"aggregate": "trimmed_mean"})
    doc["indicators"] = [{"id": "att", "weight": 1.0}, {"id": "eff", "weight": 3.0}]
    doc["questions"] = [
        {"id": "q1", "indicator": "att", "weight": 1.0},
        {"id": "q2", "indicator": "eff", "weight": 1.0},
    ]
    points = [{"q1": 100, "q2": 0}, {"q1": 50}, {"q1": None, "q2": 60}]
    for response, value in zip(doc["responses"], points, strict=True):
        response["points"] = value
    residents = by_id(scoring.score(doc))["a"]["categories"]["residents"]
    assert residents["indicators"] == {"att": 75.0, "eff": 30.0}
    # R: (100·1 + 0·3)/4 = 25, 50, 60.
    assert residents["score"] == approx(45.0)


# -- composite and status --------------------------------------------------------------------


def test_composite_renormalises_over_sufficient_categories():
    # residents S 80, SE 2 (78, 82); grassroots insufficient (1 response); service S 60,
    # SE 4 (56, 64). W_K = 0.7: C = (0.5·80 + 0.2·60)/0.7, SE = √((5/7)²·4 + (2/7)²·16).
    result = scoring.score(
        document(
            {
                ("a", "residents"): [78, 82],
                ("a", "grassroots"): [0],
                ("a", "service_targets"): [56, 64],
            }
        )
    )
    a = by_id(result)["a"]
    se = math.sqrt(164) / 7
    assert a["status"] == "rated"
    assert a["composite"] == approx(52 / 0.7)
    assert a["se"] == approx(se)
    assert a["ci"] == [approx(52 / 0.7 - Z975 * se), approx(52 / 0.7 + Z975 * se)]


def test_weight_share_below_the_minimum_is_insufficient_but_shown():
    # Only grassroots (0.3 of 1.0) sufficient: 0.3 < 0.5.
    result = scoring.score(document({("a", "grassroots"): [70, 90], ("a", "residents"): [50]}))
    a = by_id(result)["a"]
    assert a["status"] == "insufficient"
    assert a["composite"] == 80.0
    assert a["indicators"] == {"i": 80.0}
    assert (a["rank"], a["rank_interval"], a["grade"]) == (None, None, None)
    assert (a["bonus_coefficient"], a["bonus_amount"]) == (None, None)


def test_weight_share_exactly_at_the_minimum_is_rated():
    # grassroots + service = 0.3 + 0.2 = 0.5 of 1.0, min_weight_share 0.5.
    result = scoring.score(
        document({("a", "grassroots"): [70, 90], ("a", "service_targets"): [60, 60]})
    )
    assert by_id(result)["a"]["status"] == "rated"


def test_weight_share_is_decided_on_the_stated_decimals():
    # On paper 0.25 + 0.05 = 0.3 is half of 0.3 + 0.25 + 0.05 = 0.6; in binary floating
    # point 0.3 >= 0.5 * 0.6000000000000001 is false.
    assert not 0.25 + 0.05 >= 0.5 * (0.3 + 0.25 + 0.05)
    categories = {
        "residents": {"weight": 0.3, "min_responses": 2},
        "grassroots": {"weight": 0.25, "min_responses": 2},
        "service_targets": {"weight": 0.05, "min_responses": 2},
    }
    doc = document(
        {("a", "grassroots"): [70, 90], ("a", "service_targets"): [60, 60]},
        categories=categories,
    )
    assert by_id(scoring.score(doc))["a"]["status"] == "rated"
    doc["params"]["min_weight_share"] = 0.51
    assert by_id(scoring.score(doc))["a"]["status"] == "insufficient"


def test_no_sufficient_category_means_no_composite():
    result = scoring.score(document({("a", "residents"): [50]}, params={"min_weight_share": 0}))
    a = by_id(result)["a"]
    assert (a["status"], a["composite"], a["se"], a["ci"], a["indicators"]) == (
        "insufficient",
        None,
        None,
        None,
        {},
    )


def test_composite_indicators_renormalise_over_categories_having_them():
    doc = document({("a", "residents"): [0, 0], ("a", "grassroots"): [0, 0]})
    doc["indicators"] = [{"id": "att", "weight": 1.0}, {"id": "eff", "weight": 1.0}]
    doc["questions"] = [
        {"id": "q1", "indicator": "att", "weight": 1.0},
        {"id": "q2", "indicator": "eff", "weight": 1.0},
    ]
    # residents answer both; grassroots only attitude.
    points = [{"q1": 80, "q2": 60}, {"q1": 100, "q2": 40}, {"q1": 40}, {"q1": 60}]
    for response, value in zip(doc["responses"], points, strict=True):
        response["points"] = value
    a = by_id(scoring.score(doc))["a"]
    assert a["categories"]["residents"]["indicators"] == {"att": 90.0, "eff": 50.0}
    assert a["categories"]["grassroots"]["indicators"] == {"att": 50.0}
    assert a["indicators"] == {"att": approx((0.5 * 90 + 0.3 * 50) / 0.8), "eff": 50.0}


# -- rank ------------------------------------------------------------------------------------


def test_rank_tie_break():
    # Equal composites 80 (residents and grassroots weigh 0.5 each):
    # b, f: residents 90 → first; e: like b with twice the responses → before b;
    # f: like b, id after b; a: residents 70; c: residents insufficient → last.
    categories = {
        "residents": {"weight": 0.5, "min_responses": 2},
        "grassroots": {"weight": 0.5, "min_responses": 2},
    }
    scores = {
        ("a", "residents"): [65, 75],
        ("a", "grassroots"): [85, 95],
        ("b", "residents"): [85, 95],
        ("b", "grassroots"): [65, 75],
        ("c", "residents"): [10],
        ("c", "grassroots"): [75, 85],
        ("e", "residents"): [85, 95, 85, 95],
        ("e", "grassroots"): [65, 75, 65, 75],
        ("f", "residents"): [85, 95],
        ("f", "grassroots"): [65, 75],
        ("g", "residents"): [95, 95],
        ("g", "grassroots"): [80, 80],
    }
    result = scoring.score(document(scores, categories=categories))
    assert {t["composite"] for t in result["targets"] if t["id"] != "g"} == {80.0}
    assert [(t["id"], t["rank"]) for t in result["targets"]] == [
        ("g", 1),
        ("e", 2),
        ("b", 3),
        ("f", 4),
        ("a", 5),
        ("c", 6),
    ]


def test_rank_interval_with_zero_and_positive_se():
    # SE 0 everywhere: 80 beats both 70s significantly; the 70s tie.
    result = by_id(
        scoring.score(
            document(
                {
                    ("a", "residents"): [80, 80],
                    ("b", "residents"): [70, 70],
                    ("c", "residents"): [70, 70],
                },
                categories={"residents": {"weight": 1.0, "min_responses": 2}},
            )
        )
    )
    assert result["a"]["rank_interval"] == [1, 1]
    assert result["b"]["rank_interval"] == [2, 3]
    assert result["c"]["rank_interval"] == [2, 3]


def test_rank_interval_counts_only_significant_differences():
    # SE 2 each: 80 vs 76 is 4/√8 = 1.41 < z; 80 vs 60 is 20/√8 > z.
    result = by_id(
        scoring.score(
            document(
                {
                    ("a", "residents"): [78, 82],
                    ("b", "residents"): [74, 78],
                    ("c", "residents"): [58, 62],
                },
                categories={"residents": {"weight": 1.0, "min_responses": 2}},
            )
        )
    )
    assert [result[t]["se"] for t in "abc"] == [approx(2.0)] * 3
    assert [result[t]["rank_interval"] for t in "abc"] == [[1, 2], [1, 2], [3, 3]]


# -- grades and bonus ------------------------------------------------------------------------


def graded(composites: dict[str, float], **params) -> dict[str, dict]:
    vetoed = params.pop("veto", set())
    targets = [{"id": t, "name": t, "veto": t in vetoed} for t in sorted(composites)]
    doc = document(
        {(t, "residents"): [value, value] for t, value in composites.items()},
        targets=targets,
        categories={"residents": {"weight": 1.0, "min_responses": 2}},
        params=params,
    )
    return by_id(scoring.score(doc))


def test_grade_limits():
    result = graded(
        {"a": 90, "b": 85, "c": 84.5, "d": 70, "e": 69.5, "f": 60, "g": 59.5, "h": 0},
        grades={"excellent_quota": 1.0},
    )
    assert {t: result[t]["grade"] for t in result} == {
        "a": "excellent",
        "b": "excellent",
        "c": "competent",
        "d": "competent",
        "e": "basic",
        "f": "basic",
        "g": "incompetent",
        "h": "incompetent",
    }


def test_excellent_quota_in_rank_order_and_veto():
    # 10 rated, quota 0.2 → 2 excellent. a (95) is vetoed: incompetent, takes no place.
    composites = {"a": 95, "b": 94, "c": 93, "d": 92, "e": 91}
    composites |= {"f": 75, "g": 74, "h": 73, "i": 72, "j": 71}
    result = graded(composites, veto={"a"})
    grades = {t: result[t]["grade"] for t in sorted(result)}
    assert grades["a"] == "incompetent"
    assert [grades[t] for t in "bcde"] == ["excellent", "excellent", "competent", "competent"]
    assert result["a"]["rank"] == 1


def test_excellent_quota_is_floored_on_the_stated_decimal():
    # 0.29·100 = 28.999999999999996 in binary, 29 on paper.
    composites = {f"t{i:03d}": 99 - i * 0.25 for i in range(100)}
    result = graded(composites, grades={"excellent_quota": 0.29, "excellent_min": 70})
    assert sum(t["grade"] == "excellent" for t in result.values()) == 29


def test_bonus_pool_shared_by_coefficient():
    # excellent 1.2 + competent 1.0 + basic 0.8 + incompetent 0 = 3.0.
    result = graded(
        {"a": 90, "b": 75, "c": 65, "d": 50}, grades={"excellent_quota": 0.5}, bonus={"pool": 1000}
    )
    assert [result[t]["grade"] for t in "abcd"] == [
        "excellent",
        "competent",
        "basic",
        "incompetent",
    ]
    assert [result[t]["bonus_coefficient"] for t in "abcd"] == [1.2, 1.0, 0.8, 0.0]
    assert [result[t]["bonus_amount"] for t in "abcd"] == [
        approx(400.0),
        approx(1000 / 3),
        approx(800 / 3),
        0.0,
    ]


def test_bonus_pool_with_zero_coefficients_pays_nothing():
    result = graded({"a": 50, "b": 40}, bonus={"pool": 1000})
    assert [result[t]["bonus_amount"] for t in "ab"] == [0.0, 0.0]


def test_without_pool_amounts_are_null():
    result = graded({"a": 90, "b": 75}, grades={"excellent_quota": 0.5})
    assert [result[t]["bonus_amount"] for t in "ab"] == [None, None]
    assert [result[t]["bonus_coefficient"] for t in "ab"] == [1.2, 1.0]


def test_custom_coefficients():
    result = graded({"a": 75}, bonus={"coefficients": {"competent": 2}, "pool": 10})
    assert (result["a"]["bonus_coefficient"], result["a"]["bonus_amount"]) == (2.0, 10.0)


# -- groups, order, funnel -------------------------------------------------------------------


def test_groups_rank_separately_and_order_the_output():
    targets = [
        {"id": "z", "name": "Z", "group": "unit"},
        {"id": "m", "name": "M", "group": "cadre"},
        {"id": "b", "name": "B", "group": "unit"},
        {"id": "a", "name": "A", "group": "unit"},
        {"id": "k", "name": "K", "group": "cadre"},
        {"id": "c", "name": "C", "group": "unit"},
    ]
    scores = {
        ("z", "residents"): [60, 60],
        ("b", "residents"): [80, 80],
        ("a", "residents"): [10],  # insufficient
        ("c", "residents"): [],  # no responses
        ("m", "residents"): [50, 50],
        ("k", "residents"): [90, 90],
    }
    result = scoring.score(document(scores, targets=targets))
    assert [(t["id"], t["group"], t["rank"]) for t in result["targets"]] == [
        ("b", "unit", 1),
        ("z", "unit", 2),
        ("a", "unit", None),
        ("c", "unit", None),
        ("k", "cadre", 1),
        ("m", "cadre", 2),
    ]


def test_funnel_limits_and_signals():
    # Group "all": a 5/10, b 27/30, c 60/100 satisfied (threshold 60): p̄ = 92/140.
    scores = {
        ("a", "residents"): [100] * 5 + [0] * 5,
        ("b", "residents"): [100] * 27 + [0] * 3,
        ("c", "residents"): [100] * 60 + [0] * 40,
        ("d", "grassroots"): [100, 100],  # no residents: not in the funnel
    }
    funnel = scoring.score(document(scores))["funnel"]
    assert list(funnel) == ["all"]
    p_bar = 92 / 140
    assert funnel["all"]["category"] == "residents"
    assert funnel["all"]["p_bar"] == p_bar
    assert list(funnel["all"]["targets"]) == ["a", "b", "c"]
    for t, n, p in [("a", 10, 0.5), ("b", 30, 0.9), ("c", 100, 0.6)]:
        entry = funnel["all"]["targets"][t]
        half95 = 1.959964 * math.sqrt(p_bar * (1 - p_bar) / n)
        half998 = 3.090232 * math.sqrt(p_bar * (1 - p_bar) / n)
        assert entry["n"] == n and entry["p"] == p
        assert entry["lo95"] == approx(max(0.0, p_bar - half95))
        assert entry["hi95"] == approx(min(1.0, p_bar + half95))
        assert entry["lo998"] == approx(max(0.0, p_bar - half998))
        assert entry["hi998"] == approx(min(1.0, p_bar + half998))
    signals = {t: funnel["all"]["targets"][t]["signal"] for t in "abc"}
    # b: 0.9 < p̄ + 3.09·√(p̄(1−p̄)/30) ≈ 0.925; c: 0.6 > p̄ − 3.09·√(p̄(1−p̄)/100) ≈ 0.511.
    assert signals == {"a": "within", "b": "within", "c": "within"}


def test_funnel_signals_high_and_low():
    scores = {
        ("a", "residents"): [100] * 50 + [0] * 50,
        ("b", "residents"): [100] * 95 + [0] * 5,
        ("c", "residents"): [100] * 5 + [0] * 95,
    }
    funnel = scoring.score(document(scores))["funnel"]["all"]["targets"]
    # p̄ = 0.5, n = 100: 99.8% limits 0.5 ± 3.090232·0.05.
    assert {t: funnel[t]["signal"] for t in "abc"} == {"a": "within", "b": "high", "c": "low"}
    assert funnel["b"]["hi998"] == approx(0.5 + 3.090232 * 0.05)


def test_funnel_per_group_and_clipped():
    targets = [
        {"id": "a", "name": "A", "group": "g1"},
        {"id": "b", "name": "B", "group": "g2"},
        {"id": "c", "name": "C", "group": "g2"},
        {"id": "d", "name": "D", "group": "g3"},
    ]
    scores = {
        ("a", "residents"): [100, 100],
        ("b", "residents"): [100, 0],
        ("c", "residents"): [0, 0, 0, 100],
        ("d", "grassroots"): [100, 100],
    }
    funnel = scoring.score(document(scores, targets=targets))["funnel"]
    assert list(funnel) == ["g1", "g2"]  # g3 has no residents' responses
    assert funnel["g1"]["p_bar"] == 1.0
    assert funnel["g1"]["targets"]["a"] == {
        "n": 2,
        "p": 1.0,
        "lo95": 1.0,
        "hi95": 1.0,
        "lo998": 1.0,
        "hi998": 1.0,
        "signal": "within",
    }
    assert funnel["g2"]["p_bar"] == 2 / 6


def test_funnel_category_is_a_parameter():
    scores = {("a", "grassroots"): [100, 0], ("b", "residents"): [100, 100]}
    funnel = scoring.score(document(scores, params={"funnel_category": "grassroots"}))["funnel"]
    assert funnel["all"]["category"] == "grassroots"
    assert list(funnel["all"]["targets"]) == ["a"]


def test_empty_campaign():
    doc = document({})
    assert scoring.score(doc) == {
        "format": "appraisal-scoring-result/1",
        "input_sha256": scoring.input_sha256(doc),
        "targets": [],
        "funnel": {},
    }


def test_target_without_responses():
    doc = document({}, targets=[{"id": "a", "name": "A"}])
    (a,) = scoring.score(doc)["targets"]
    assert a["status"] == "insufficient" and a["group"] == "all"
    assert all(category["n"] == 0 for category in a["categories"].values())


def test_quantile_constants_match_printed_tables():
    from scipy import stats

    assert round(T975_DF2, 3) == 4.303 and round(T975_DF7, 3) == 2.365
    assert stats.t.ppf(0.975, 2) == T975_DF2 and stats.t.ppf(0.975, 7) == T975_DF7
    assert round(Z975, 2) == 1.96
