"""Builders of small scoring inputs and the comparison SCORING.md calls agreement."""

from __future__ import annotations

import copy
import math
from typing import Any

#: One indicator, one question: a response's score R is its points for "q".
ONE_QUESTION = {
    "indicators": [{"id": "i", "weight": 1.0}],
    "questions": [{"id": "q", "indicator": "i", "weight": 1.0}],
}


def document(
    scores: dict[tuple[str, str], list[float | None]],
    *,
    targets: list[dict[str, Any]] | None = None,
    params: dict[str, Any] | None = None,
    categories: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An input whose responses score exactly as given: `scores[(target, category)]` lists
    the points of each response on the single question (None: a response without points).
    Targets default to one per id named in `scores`, group "all"; categories default to
    residents/grassroots/service_targets weighted 0.5/0.3/0.2, each needing 2 responses."""
    if targets is None:
        ids = sorted({target for target, _ in scores})
        targets = [{"id": identifier, "name": identifier.upper()} for identifier in ids]
    if categories is None:
        categories = {
            "residents": {"weight": 0.5, "min_responses": 2},
            "grassroots": {"weight": 0.3, "min_responses": 2},
            "service_targets": {"weight": 0.2, "min_responses": 2},
        }
    responses = []
    for (target, category), points in scores.items():
        for value in points:
            responses.append(
                {
                    "id": f"r{len(responses)}",
                    "target": target,
                    "category": category,
                    "points": {"q": value},
                }
            )
    return {
        "format": "appraisal-scoring-input/1",
        "campaign": {"code": "test", "name": "Test"},
        "params": {"categories": categories, **(params or {})},
        **copy.deepcopy(ONE_QUESTION),
        "targets": targets,
        "responses": responses,
    }


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {target["id"]: target for target in result["targets"]}


def close(actual: float, expected: float) -> bool:
    """Within 1e-9 absolute or 1e-9 relative, whichever is looser (SCORING.md)."""
    return abs(actual - expected) <= max(1e-9, 1e-9 * abs(expected))


def differences(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Where `actual` disagrees with `expected`: numbers (floats) within tolerance, every
    other value (ranks, grades, statuses, counts, ids, nulls, key sets) exactly. Object key
    order is not compared; list order is."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: {actual!r} is not an object"]
        found = []
        if sorted(actual) != sorted(expected):
            found.append(f"{path}: keys {sorted(actual)} != {sorted(expected)}")
        for key in expected:
            if key in actual:
                found.extend(differences(actual[key], expected[key], f"{path}.{key}"))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: {actual!r} != {expected!r}"]
        found = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found.extend(differences(a, e, f"{path}[{i}]"))
        return found
    if isinstance(expected, float):
        if (
            isinstance(actual, bool)
            or not isinstance(actual, (int, float))
            or not math.isfinite(actual)
            or not close(actual, expected)
        ):
            return [f"{path}: {actual!r} != {expected!r}"]
        return []
    if actual != expected or type(actual) is not type(expected):
        return [f"{path}: {actual!r} != {expected!r}"]
    return []
