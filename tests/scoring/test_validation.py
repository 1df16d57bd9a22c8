"""Malformed input is refused with a message naming the offending item."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import scoring
from scoring import ScoringInputError

from .helpers import document

ROOT = Path(__file__).resolve().parents[2]


def base() -> dict[str, Any]:
    doc = document(
        {("a", "residents"): [50, 60, 70], ("b", "grassroots"): [80, 90]},
        targets=[{"id": "a", "name": "A", "group": "unit"}, {"id": "b", "name": "B"}],
    )
    doc["questions"].append({"id": "q2", "indicator": "i", "weight": 2.0})
    return doc


def setter(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation that sets doc[k1][k2]… = value (path: keys and indexes split by "/")."""

    def mutate(doc: dict) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split("/")]
        node = doc
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def deleter(path: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split("/")]
        node = doc
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


CASES: list[tuple[str, Callable[[dict], None], str]] = [
    (
        "unknown question",
        setter("responses/3/points/q9", 50),
        'responses[3].points.q9: unknown question "q9"',
    ),
    (
        "unknown target",
        setter("responses/1/target", "nobody"),
        'responses[1].target: unknown target "nobody"',
    ),
    (
        "unknown category",
        setter("responses/0/category", "visitors"),
        'responses[0].category: unknown category "visitors"',
    ),
    ("points above 100", setter("responses/2/points/q", 100.5), "responses[2].points.q: 100.5 is"),
    ("negative points", setter("responses/4/points/q2", -1), "responses[4].points.q2: -1 is not"),
    (
        "points as text",
        setter("responses/2/points/q", "50"),
        'responses[2].points.q: must be a number, not "50"',
    ),
    ("points as boolean", setter("responses/2/points/q", True), "responses[2].points.q: must be"),
    ("NaN points", setter("responses/2/points/q", math.nan), "responses[2].points.q: must be a"),
    ("points not an object", setter("responses/2/points", [50]), "responses[2].points: must be"),
    (
        "duplicate response id",
        setter("responses/4/id", "r1"),
        'responses[4].id: duplicate id "r1" (also responses[1].id)',
    ),
    ("missing points", deleter("responses/1/points"), "responses[1].points: is missing"),
    (
        "unknown response key",
        setter("responses/1/weight", 2),
        'responses[1].weight: unknown key "weight"',
    ),
    ("response not an object", setter("responses/1", "r1"), "responses[1]: must be an object"),
    (
        "duplicate target id",
        setter("targets/1/id", "a"),
        'targets[1].id: duplicate id "a" (also targets[0].id)',
    ),
    ("veto not boolean", setter("targets/0/veto", "yes"), "targets[0].veto: must be true or false"),
    ("empty group", setter("targets/1/group", ""), "targets[1].group: must be a non-empty string"),
    ("missing name", deleter("targets/1/name"), "targets[1].name: is missing"),
    ("typo in a target key", setter("targets/0/vetoed", True), "targets[0].vetoed: unknown key"),
    (
        "unknown indicator",
        setter("questions/1/indicator", "speed"),
        'questions[1].indicator: unknown indicator "speed"',
    ),
    ("duplicate question", setter("questions/1/id", "q"), 'questions[1].id: duplicate id "q"'),
    ("zero question weight", setter("questions/0/weight", 0), "questions[0].weight: 0 is not in"),
    (
        "indicator weight as text",
        setter("indicators/0/weight", "heavy"),
        'indicators[0].weight: must be a number, not "heavy"',
    ),
    ("no indicators", setter("indicators", []), "indicators: declares no indicator"),
    (
        "unknown aggregate",
        setter("params/aggregate", "median"),
        'params.aggregate: must be one of "mean", "trimmed_mean", "shrunk_mean", not "median"',
    ),
    ("trim 0.5", setter("params/trim", 0.5), "params.trim: 0.5 is not in [0, 0.5)"),
    ("confidence 1", setter("params/confidence", 1), "params.confidence: 1 is not in (0, 1)"),
    ("share above 1", setter("params/min_weight_share", 1.5), "params.min_weight_share: 1.5"),
    ("negative prior", setter("params/prior_strength", -1), "params.prior_strength: -1 is not"),
    (
        "threshold above 100",
        setter("params/satisfied_threshold", 600),
        "params.satisfied_threshold: 600 is not in [0, 100]",
    ),
    ("unknown parameter", setter("params/aggregat", "mean"), "params.aggregat: unknown key"),
    (
        "zero category weight",
        setter("params/categories/residents/weight", 0),
        "params.categories.residents.weight: 0 is not in (0, inf]",
    ),
    (
        "custom category without weight",
        setter("params/categories/visitors", {"min_responses": 3}),
        "params.categories.visitors.weight: is missing",
    ),
    (
        "fractional min_responses",
        setter("params/categories/residents/min_responses", 2.5),
        "params.categories.residents.min_responses: must be a whole number, not 2.5",
    ),
    (
        "odd category name",
        setter("params/categories/a b", {"weight": -1, "min_responses": 1}),
        'params.categories["a b"].weight: -1 is not in (0, inf]',
    ),
    ("no categories", setter("params/categories", {}), "params.categories: declares no category"),
    (
        "undeclared funnel category",
        setter("params/funnel_category", "visitors"),
        'params.funnel_category: unknown category "visitors"',
    ),
    (
        "quota above 1",
        setter("params/grades", {"excellent_quota": 1.5}),
        "params.grades.excellent_quota: 1.5 is not in [0, 1]",
    ),
    (
        "grade limits out of order",
        setter("params/grades", {"fail_below": 75}),
        "params.grades.basic_below: 70 is below fail_below (75)",
    ),
    (
        "unknown grade",
        setter("params/bonus", {"coefficients": {"superb": 2}}),
        'params.bonus.coefficients.superb: unknown key "superb"',
    ),
    (
        "negative pool",
        setter("params/bonus", {"pool": -1}),
        "params.bonus.pool: -1 is not in [0, inf]",
    ),
    (
        "funnel category left at a default that is not declared",
        setter("params/categories", {"visitors": {"weight": 1, "min_responses": 2}}),
        'params.funnel_category: unknown category "residents" (the default: set funnel_category)',
    ),
    (
        "number beyond float range",
        setter("indicators/0/weight", 10**400),
        "indicators[0].weight: must be a finite number",
    ),
    ("wrong format", setter("format", "appraisal-scoring-input/2"), 'format: must be "appraisal'),
    ("missing responses", deleter("responses"), "responses: is missing"),
    ("campaign not an object", setter("campaign", "2026"), "campaign: must be an object"),
    ("unknown top-level key", setter("weights", {}), 'weights: unknown key "weights"'),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_refused_with_the_item_named(mutate, expected):
    doc = base()
    scoring.validate(doc)  # the base is valid
    mutate(doc)
    with pytest.raises(ScoringInputError) as caught:
        scoring.validate(doc)
    assert str(caught.value).startswith(expected)
    assert str(caught.value) == f"{caught.value.path}: {caught.value.message}"
    with pytest.raises(ScoringInputError):
        scoring.score(doc)


def test_unknown_question_names_response_and_question():
    doc = base()
    doc["responses"][3]["points"]["q9"] = 50
    with pytest.raises(ScoringInputError) as caught:
        scoring.validate(doc)
    assert caught.value.path == "responses[3].points.q9"
    assert caught.value.message == 'unknown question "q9"'


def test_document_not_an_object():
    with pytest.raises(ScoringInputError, match="must be an object"):
        scoring.validate([1, 2])


def test_defaults_fill_what_params_leave_out():
    doc = base()
    del doc["params"]
    params = scoring.validate(doc).params
    assert [(c.id, c.weight, c.min_responses) for c in params.categories] == [
        ("residents", 0.5, 30),
        ("grassroots", 0.3, 5),
        ("service_targets", 0.2, 5),
    ]
    assert (params.aggregate, params.trim, params.prior_strength) == ("mean", 0.1, 10)
    assert (params.min_weight_share, params.satisfied_threshold, params.confidence) == (
        0.5,
        60,
        0.95,
    )
    assert (params.fail_below, params.basic_below, params.excellent_min) == (60, 70, 85)
    assert params.excellent_quota == 0.2
    assert params.coefficients == (1.2, 1.0, 0.8, 0.0)
    assert (params.pool, params.funnel_category) == (None, "residents")


def test_default_category_keys_fill_in_key_by_key():
    doc = base()
    doc["params"]["categories"] = {"residents": {"weight": 0.7}, "grassroots": {}}
    params = scoring.validate(doc).params
    assert [(c.id, c.weight, c.min_responses) for c in params.categories] == [
        ("residents", 0.7, 30),
        ("grassroots", 0.3, 5),
    ]


def test_validation_does_not_change_the_document():
    doc = base()
    before = copy.deepcopy(doc)
    scoring.score(doc)
    assert doc == before


# -- arrays ----------------------------------------------------------------------------------


def arrays(**changes: Any) -> dict[str, Any]:
    doc = base()
    values = {
        "params": doc["params"],
        "indicators": doc["indicators"],
        "questions": doc["questions"],
        "targets": doc["targets"],
        "response_target_index": np.array([0, 0, 1]),
        "response_category_index": np.array([0, 0, 1]),
        "points_matrix": np.array([[50.0, np.nan], [60.0, 70.0], [np.nan, 100.0]]),
    }
    values.update(changes)
    return values


def test_arrays_accepted():
    result = scoring.score_arrays(**arrays())
    assert [t["id"] for t in result["targets"]] == ["a", "b"]
    assert result["input_sha256"] is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"points_matrix": np.array([[50.0, np.nan], [60.0, 170.0], [np.nan, 100.0]])},
            "responses[1].points.q2: 170.0 is not in [0, 100]",
        ),
        (
            {"points_matrix": np.array([[50.0, np.inf], [60.0, 70.0], [np.nan, 100.0]])},
            "responses[0].points.q2: inf is not in [0, 100]",
        ),
        ({"points_matrix": np.zeros((3, 3))}, "points_matrix: must have shape (n_responses, 2)"),
        (
            {"response_target_index": np.array([0, 2, 1])},
            "response_target_index[1]: 2 does not index a target (0..1)",
        ),
        (
            {"response_category_index": np.array([0, -1, 1])},
            "response_category_index[1]: -1 does not index a category (0..2)",
        ),
        (
            {"response_target_index": np.array([0, 1])},
            "response_target_index: must have shape (3,)",
        ),
        (
            {"response_target_index": np.array([0.0, 1.0, 1.0])},
            "response_target_index: must hold integers",
        ),
        ({"params": {"aggregate": "mode"}}, "params.aggregate: must be one of"),
        ({"targets": [{"id": "a"}]}, "targets[0].name: is missing"),
    ],
)
def test_arrays_refused_with_the_item_named(changes, expected):
    with pytest.raises(ScoringInputError) as caught:
        scoring.score_arrays(**arrays(**changes))
    assert str(caught.value).startswith(expected)


# -- command line ----------------------------------------------------------------------------


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scoring", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        check=False,
    )


def test_cli_refuses_invalid_input_with_status_2(tmp_path):
    doc = base()
    doc["responses"][3]["points"]["q9"] = 50
    path = tmp_path / "input.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    completed = run("run", str(path))
    assert completed.returncode == 2
    assert completed.stdout == b""
    assert 'responses[3].points.q9: unknown question "q9"' in completed.stderr.decode()
    assert str(path) in completed.stderr.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": ', "invalid JSON at line 1, column 12"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": 1, "a": 2}', 'duplicate key "a"'),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "must be an object"),
    ],
)
def test_cli_refuses_unreadable_json_with_status_2(tmp_path, content, message):
    path = tmp_path / "input.json"
    path.write_bytes(content)
    completed = run("run", str(path))
    assert completed.returncode == 2
    assert message in completed.stderr.decode()


def test_cli_missing_file(tmp_path):
    completed = run("run", str(tmp_path / "nowhere.json"))
    assert completed.returncode == 2
    assert "cannot read the file" in completed.stderr.decode()


def test_cli_reads_stdin_and_prints_utf8():
    doc = base()
    doc["targets"][0]["name"] = "人民满意"
    completed = run("run", "-", stdin=json.dumps(doc).encode())
    assert completed.returncode == 0, completed.stderr
    assert "人民满意".encode() in completed.stdout
    assert completed.stdout == scoring.dumps_result(scoring.score(doc)).encode("utf-8")


def test_cli_usage_error_is_status_2():
    assert run().returncode == 2
    assert run("frobnicate", "x.json").returncode == 2
