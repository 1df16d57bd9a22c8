"""Canonical JSON, the input hash and the result's bytes."""

from __future__ import annotations

import hashlib
import math

import pytest

import scoring

from .helpers import document


def test_canonical_json_sorts_keys_keeps_non_ascii_and_is_compact():
    value = {"b": [1, 2.5, None, True], "a": {"名": "目标 1", "z": -0.0}}
    assert scoring.canonical_json(value) == (
        '{"a":{"z":-0.0,"名":"目标 1"},"b":[1,2.5,null,true]}'.encode()
    )


def test_canonical_json_refuses_nan():
    with pytest.raises(ValueError):
        scoring.canonical_json({"a": math.nan})


def test_input_hash_covers_the_document_as_given():
    doc = document({("a", "residents"): [50, 60]})
    digest = hashlib.sha256(scoring.canonical_json(doc)).hexdigest()
    assert scoring.input_sha256(doc) == digest == scoring.score(doc)["input_sha256"]
    # Writing a default out changes the document, so the hash, not the scores.
    explicit = {**doc, "params": {**doc["params"], "aggregate": "mean"}}
    assert scoring.input_sha256(explicit) != digest
    assert scoring.score(explicit)["targets"] == scoring.score(doc)["targets"]


def test_key_order_of_the_input_does_not_change_the_hash():
    doc = document({("a", "residents"): [50, 60]})
    reordered = dict(reversed(list(doc.items())))
    assert scoring.input_sha256(reordered) == scoring.input_sha256(doc)


def test_dumps_result_layout():
    result = scoring.score(document({("a", "residents"): [50, 60]}))
    text = scoring.dumps_result(result)
    assert text.startswith('{\n "format": "appraisal-scoring-result/1",\n "input_sha256": "')
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert '"name": "A"' in text


def test_dumps_result_refuses_nan():
    with pytest.raises(ValueError):
        scoring.dumps_result({"composite": math.nan})
