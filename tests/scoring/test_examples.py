"""The worked examples of SCORING.md agree: same ranks, grades, statuses and counts,
numbers within 1e-9 absolute or relative; the same input gives the same bytes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import scoring

from .helpers import differences

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "examples"
#: Where SCORING.md keeps the originals (beside the repository), when present.
SHARED = HERE.parents[2] / "shared" / "scoring-examples"
ROOT = HERE.parents[1]
NAMES = sorted(path.name.removesuffix(".input.json") for path in EXAMPLES.glob("*.input.json"))


def load(name: str, kind: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.{kind}.json").read_text(encoding="utf-8"))


#: SHA-256 of what `python -m scoring run` printed for the revision-1 examples before
#: revision 2 existed: a stored run of an old campaign must be reproduced byte for byte.
REVISION_1_BYTES = {
    "example-1-mean": "f4905624e11b11bf2b1f4e5f9494e74eeff586029366477fd1f9072414ad14b6",
    "example-2-trimmed": "7cea929a4081f9b2a5fdee2fcc1f457553fcfd25df3683b16836713c83978537",
    "example-3-groups-shrunk-pool": (
        "4f9ed08b484c797c3367c871201e5caeb3b9b9f59b91d8cb083942ff58639796"
    ),
}


def test_there_are_four_examples():
    assert NAMES == [
        "example-1-mean",
        "example-2-trimmed",
        "example-3-groups-shrunk-pool",
        "example-4-revision2",
    ]


def test_revisions_of_the_examples():
    revisions = {name: load(name, "input")["params"].get("revision") for name in NAMES}
    assert revisions == {**dict.fromkeys(REVISION_1_BYTES), "example-4-revision2": 2}


@pytest.mark.parametrize("name", sorted(REVISION_1_BYTES))
def test_revision_1_examples_give_the_same_bytes_as_before(name):
    text = scoring.dumps_result(scoring.score(load(name, "input")))
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == REVISION_1_BYTES[name]


def test_revision_2_example_decides_what_revision_1_would_not():
    """Scored by revision 1, example 4 gets other grades and statuses and unclipped
    intervals: the example exercises what revision 2 changes."""
    document = load("example-4-revision2", "input")
    del document["params"]["revision"]
    del document["params"]["grades"]["quota_rounding"]
    expected = load("example-4-revision2", "result")
    found = differences(scoring.score(document), expected)
    assert any(item.endswith(".grade: 'competent' != 'excellent'") for item in found)
    assert any(".satisfaction_rate:" in item for item in found)
    assert any(".ci[1]:" in item and item.endswith("!= 100.0") for item in found)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared examples are not beside the repository")
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.name)
def test_the_copies_match_the_shared_examples(path):
    assert path.read_bytes() == (SHARED / path.name).read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_example_agrees(name):
    result = json.loads(scoring.dumps_result(scoring.score(load(name, "input"))))
    assert differences(result, load(name, "result")) == []


@pytest.mark.parametrize("name", NAMES)
def test_example_ranks_grades_and_order(name):
    expected = load(name, "result")
    result = scoring.score(load(name, "input"))
    summary = [
        (t["id"], t["group"], t["status"], t["rank"], t["rank_interval"], t["grade"])
        for t in result["targets"]
    ]
    assert summary == [
        (t["id"], t["group"], t["status"], t["rank"], t["rank_interval"], t["grade"])
        for t in expected["targets"]
    ]


@pytest.mark.parametrize("name", NAMES)
def test_input_hash_is_sha256_of_canonical_json(name):
    document = load(name, "input")
    canonical = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    digest = hashlib.sha256(canonical).hexdigest()
    assert scoring.canonical_json(document) == canonical
    assert scoring.input_sha256(document) == digest
    assert scoring.score(document)["input_sha256"] == digest == load(name, "result")["input_sha256"]


@pytest.mark.parametrize("name", NAMES)
def test_same_input_same_bytes(name):
    first = scoring.dumps_result(scoring.score(load(name, "input")))
    second = scoring.dumps_result(scoring.score(load(name, "input")))
    assert first == second
    # The result files' own layout: indent 1, non-ASCII kept (example 4's file has no
    # final newline; the program's output always has one).
    expected_text = (EXAMPLES / f"{name}.result.json").read_text(encoding="utf-8")
    assert expected_text.removesuffix("\n") == json.dumps(
        load(name, "result"), indent=1, ensure_ascii=False
    )
    assert first == json.dumps(json.loads(first), indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_result_keys_in_the_examples_order(name):
    result = scoring.score(load(name, "input"))
    expected = load(name, "result")
    assert list(result) == list(expected)
    for target, reference in zip(result["targets"], expected["targets"], strict=True):
        assert list(target) == list(reference)
        for category, values in target["categories"].items():
            assert list(values) == list(reference["categories"][category])


@pytest.mark.parametrize("name", NAMES)
def test_command_line_prints_the_result_bytes(name):
    path = EXAMPLES / f"{name}.input.json"
    runs = [
        subprocess.run(
            [sys.executable, "-m", "scoring", "run", str(path)],
            capture_output=True,
            cwd=ROOT,
            check=False,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert run.stderr == b""
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stdout == scoring.dumps_result(scoring.score(load(name, "input"))).encode()


@pytest.mark.parametrize("name", NAMES)
def test_arrays_give_the_same_result(name):
    document = load(name, "input")
    data = scoring.validate(document)
    questions = [q["id"] for q in document["questions"]]
    targets = [t["id"] for t in document["targets"]]
    categories = list(document["params"]["categories"])
    points = np.full((len(document["responses"]), len(questions)), np.nan)
    for row, response in enumerate(document["responses"]):
        for question, value in response["points"].items():
            if value is not None:
                points[row, questions.index(question)] = value
    result = scoring.score_arrays(
        document["params"],
        document["indicators"],
        document["questions"],
        document["targets"],
        np.array([targets.index(r["target"]) for r in document["responses"]]),
        np.array([categories.index(r["category"]) for r in document["responses"]]),
        points,
        input_sha256=scoring.input_sha256(document),
    )
    assert scoring.dumps_result(result) == scoring.dumps_result(scoring.score(document))
    assert scoring.dumps_result(scoring.score(data)) == scoring.dumps_result(result)
