"""Reproducible appraisal scoring in numpy and scipy. The method, every formula and what
each revision of the rules changes are described in docs/scoring.md.

Pure: plain data in, plain data out; imports nothing of Flask, SQLAlchemy or the other
packages of the project. Vectorised: per-response work is numpy array operations (the
responses are sorted once by target and category and reduced with `np.bincount`), so a
million responses take seconds; only the final assembly loops over targets.

Public API
----------
``validate(document) -> ScoringInput``
    Check a scoring input document (`appraisal-scoring-input/1`, parsed JSON) and return it
    in validated form: params with defaults filled in, declarations as tuples, responses
    as arrays. Raises `ScoringInputError` whose `.path` names the offending item and
    `.message` says what is wrong, e.g. ``responses[3].points.q9: unknown question "q9"``.

``score(document_or_input) -> dict``
    The result document (`appraisal-scoring-result/1`, SCORING.md §4) of a document
    (validated first) or of a `ScoringInput`. A thin wrapper over the same computation as
    `score_arrays`.

``score_arrays(params, indicators, questions, targets, response_target_index,
response_category_index, points_matrix, *, input_sha256=None) -> dict``
    The same result without a JSON document of the responses. `params`, `indicators`,
    `questions`, `targets` are as in the document; response r is row r of the arrays:
    `response_target_index[r]` indexes `targets`, `response_category_index[r]` indexes the
    categories in the order of `params["categories"]`, `points_matrix[r, j]` holds the
    points of `questions[j]` (float, NaN for null). `input_sha256` is copied into the
    result (None when not given). Equal inputs give results equal to `score`'s.

``canonical_json(obj) -> bytes``
    Keys sorted, separators "," and ":", UTF-8, non-ASCII kept, NaN refused.

``input_sha256(document) -> str``
    Hex SHA-256 of `canonical_json(document)`: the result's `input_sha256`. It hashes the
    document as given (defaults it leaves out are not filled in).

``dumps_result(result) -> str``
    The exact text `python -m scoring run` prints and the app stores (encode as UTF-8):
    ``json.dumps(result, indent=1, ensure_ascii=False, allow_nan=False) + "\\n"``, keys in
    the order the result is built (that of SCORING.md's worked examples), floats as
    Python's shortest round-trip repr. An auditor reproduces it byte for byte.

``ahp(matrix) -> AhpResult(weights, lambda_max, ci, cr)``
    Weights from Saaty's pairwise comparison matrix (a list of rows). Raises `AhpError`
    (`.path`, `.message`, `.cr`) for a matrix that is not square, not positive, not
    reciprocal (within 1e-6), larger than 10×10, or inconsistent (CR > 0.1, named).

Command line: ``python -m scoring run INPUT.json`` prints `dumps_result(score(...))`;
``python -m scoring ahp MATRIX.json`` prints ``{"weights", "lambda_max", "ci", "cr"}``.
Refused input, unreadable files and invalid JSON exit with status 2 and a message on
standard error naming the offending item.

Reproducibility
---------------
The same input gives a byte-identical result: float64 throughout, every sum in a fixed
order (sequential, no BLAS, no threads), intervals from scipy's quantile functions. The
response-level sums run over the responses sorted by (target id, category, score, indicator
scores), so the order of responses and targets in the input changes no bit of the result.
In revision 1, decisions at a limit use the numbers as computed, as the worked examples
require: a response whose score R comes out as 59.99999999999999 is not satisfied at 60.
Two limits are decided in exact arithmetic on the decimal numbers as stated in the input
instead: the weight share that makes a target rated (W_K ≥ min_weight_share·Σ w_c) and the excellent
quota ⌊excellent_quota·N⌋ (so 0.29·100 gives 29, not 28).

Revision 2 (``params.revision: 2``; absent means 1, scored exactly as before): every
decision (satisfied, rated, grades, rank order, rank interval, funnel signal) is made on
values rounded as Python's ``round(x, 9)`` rounds (`scoring.rounding`; numpy's rounding
decides nothing), the intervals of category scores and composites are clipped to [0, 100],
and ``grades.quota_rounding`` (floor, half_up, ceil) rounds r(excellent_quota·N).

Readings fixed here where the specification leaves room (the worked examples agree with each):
- μ_c of `shrunk_mean` pools the response scores of category c over the targets of the
  same group (§2), not over the whole campaign;
- the composite's CI and the rank interval use z = Φ⁻¹((1 + confidence)/2);
- a target is rated only when at least one category is sufficient (even at
  min_weight_share 0);
- ranks tie-break as `scoring.ranking` states: composite (higher first), then the
  residents' category score where sufficient (higher first, none last), then total n over
  all categories (more first), then id (ascending by code point);
- the funnel lists a group's targets by id; a category's `indicators` and the composite's
  follow the declared order of the indicators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .canonical import canonical_json, dumps_result, input_sha256
    from .engine import RESULT_FORMAT, evaluate, score, score_arrays
    from .errors import AhpError, ScoringInputError
    from .inputs import (
        AGGREGATES,
        GRADES,
        INPUT_FORMAT,
        Category,
        Indicator,
        Params,
        Question,
        ScoringInput,
        Target,
        validate,
    )
    from .weights import AhpResult, ahp

#: The submodule of each public name, imported when the name is first used (PEP 562):
#: `from scoring import ScoringInputError` loads neither numpy nor SciPy, so the web app,
#: which imports this package in every worker and scores seldom, starts without them.
_SUBMODULES = {
    "AGGREGATES": "inputs",
    "GRADES": "inputs",
    "INPUT_FORMAT": "inputs",
    "RESULT_FORMAT": "engine",
    "AhpError": "errors",
    "AhpResult": "weights",
    "Category": "inputs",
    "Indicator": "inputs",
    "Params": "inputs",
    "Question": "inputs",
    "ScoringInput": "inputs",
    "ScoringInputError": "errors",
    "Target": "inputs",
    "ahp": "weights",
    "canonical_json": "canonical",
    "dumps_result": "canonical",
    "evaluate": "engine",
    "input_sha256": "canonical",
    "score": "engine",
    "score_arrays": "engine",
    "validate": "inputs",
}

__all__ = [
    "AGGREGATES",
    "GRADES",
    "INPUT_FORMAT",
    "RESULT_FORMAT",
    "AhpError",
    "AhpResult",
    "Category",
    "Indicator",
    "Params",
    "Question",
    "ScoringInput",
    "ScoringInputError",
    "Target",
    "ahp",
    "canonical_json",
    "dumps_result",
    "evaluate",
    "input_sha256",
    "score",
    "score_arrays",
    "validate",
]


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULES.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
