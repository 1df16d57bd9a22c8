"""Time and memory of `scoring.score_arrays` at a city's scale: 1,000,000 responses × 8
questions over 2,000 targets (three groups) in 3 categories, for each aggregate.

    python benchmarks/scoring_pure.py [--responses 1000000] [--targets 2000] [--repeat 3]
        [--document-responses 100000]

Points are a five-level scale (0, 25, 50, 75, 100) with about 5% nulls (NaN); responses
fall 70/20/10 on residents/grassroots/service_targets. Prints, per aggregate, the best
wall time of `--repeat` runs and the peak memory that numpy and Python allocated during one
run (tracemalloc, measured in a separate run so tracing does not slow the timed ones),
the size of the points matrix for scale, and the process's peak RSS at the end. Then, for
comparison, the document path (`validate` + `score` on a JSON-like document, as
`python -m scoring run` does after parsing) on the first `--document-responses` responses.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import dumps_result, score, score_arrays, validate  # noqa: E402

CATEGORIES = ("residents", "grassroots", "service_targets")
GROUPS = ("unit", "service_point", "cadre")


def make_data(responses: int, targets: int, seed: int = 20260501) -> dict:
    rng = np.random.default_rng(seed)
    indicators = [
        {"id": "attitude", "weight": 0.3},
        {"id": "efficiency", "weight": 0.4},
        {"id": "integrity", "weight": 0.2},
        {"id": "style", "weight": 0.1},
    ]
    questions = [
        {"id": f"q{i}{j}", "indicator": indicator["id"], "weight": float(1 + (i + j) % 2)}
        for i, indicator in enumerate(indicators)
        for j in range(2)
    ]
    target_list = [
        {"id": f"t{t:05d}", "name": f"目标 {t}", "group": GROUPS[t % 3], "veto": t % 97 == 0}
        for t in range(targets)
    ]
    params = {
        "categories": {
            "residents": {"weight": 0.5, "min_responses": 30},
            "grassroots": {"weight": 0.3, "min_responses": 5},
            "service_targets": {"weight": 0.2, "min_responses": 5},
        },
        "bonus": {"pool": 1_000_000.0},
    }
    # Each target has its own level, so the ranking is not all ties.
    level = rng.uniform(1.5, 4.0, size=targets)
    target_index = rng.integers(0, targets, size=responses)
    category_index = rng.choice(3, size=responses, p=[0.7, 0.2, 0.1])
    steps = np.clip(
        np.rint(level[target_index][:, np.newaxis] + rng.normal(0, 1, (responses, 8))), 0, 4
    )
    points = steps * 25.0
    points[rng.random((responses, 8)) < 0.05] = np.nan
    return {
        "params": params,
        "indicators": indicators,
        "questions": questions,
        "targets": target_list,
        "response_target_index": target_index,
        "response_category_index": category_index,
        "points_matrix": points,
    }


def run(data: dict, aggregate: str) -> dict:
    params = {**data["params"], "aggregate": aggregate}
    return score_arrays(
        params,
        data["indicators"],
        data["questions"],
        data["targets"],
        data["response_target_index"],
        data["response_category_index"],
        data["points_matrix"],
    )


def as_document(data: dict, responses: int) -> dict:
    """The scoring input document of the first `responses` responses."""
    questions = [question["id"] for question in data["questions"]]
    targets = [target["id"] for target in data["targets"]]
    categories = list(data["params"]["categories"])
    rows = data["points_matrix"][:responses].tolist()
    target_index = data["response_target_index"][:responses].tolist()
    category_index = data["response_category_index"][:responses].tolist()
    return {
        "format": "appraisal-scoring-input/1",
        "campaign": {"code": "bench", "name": "Benchmark"},
        "params": data["params"],
        "indicators": data["indicators"],
        "questions": data["questions"],
        "targets": data["targets"],
        "responses": [
            {
                "id": f"r{r}",
                "target": targets[target_index[r]],
                "category": categories[category_index[r]],
                "points": {
                    question: None if value != value else value
                    for question, value in zip(questions, rows[r], strict=True)
                },
            }
            for r in range(len(rows))
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--targets", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--document-responses", type=int, default=100_000)
    arguments = parser.parse_args()

    started = time.perf_counter()
    data = make_data(arguments.responses, arguments.targets)
    print(
        f"data: {arguments.responses:,} responses × 8 questions, {arguments.targets:,} targets "
        f"in {len(GROUPS)} groups, {len(CATEGORIES)} categories "
        f"(generated in {time.perf_counter() - started:.2f} s; points matrix "
        f"{data['points_matrix'].nbytes / 2**20:.0f} MiB)"
    )
    for aggregate in ("mean", "trimmed_mean", "shrunk_mean"):
        times = []
        for _ in range(arguments.repeat):
            started = time.perf_counter()
            result = run(data, aggregate)
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        again = run(data, aggregate)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        identical = dumps_result(again) == dumps_result(result)
        rated = sum(1 for target in result["targets"] if target["status"] == "rated")
        print(
            f"{aggregate:>13}: best {min(times):.2f} s of {arguments.repeat} "
            f"(all: {', '.join(f'{t:.2f}' for t in times)}); "
            f"peak allocated {peak / 2**20:.0f} MiB; {rated:,} rated; "
            f"repeat byte-identical: {identical}"
        )
    if arguments.document_responses:
        document = as_document(data, arguments.document_responses)
        started = time.perf_counter()
        validated = validate(document)
        validated_in = time.perf_counter() - started
        started = time.perf_counter()
        score(validated)
        scored_in = time.perf_counter() - started
        print(
            f"document path, {arguments.document_responses:,} responses: validate + hash "
            f"{validated_in:.2f} s, score {scored_in:.2f} s"
        )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process peak RSS: {maxrss / 2**10:.0f} MiB")


if __name__ == "__main__":
    main()
