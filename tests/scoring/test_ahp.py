"""Weights by pairwise comparison (SCORING.md §5) on Saaty's classic matrices."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import AhpError, AhpResult, ahp

ROOT = Path(__file__).resolve().parents[2]


def reciprocal(upper: dict[tuple[int, int], float], n: int) -> list[list[float]]:
    """The n×n reciprocal matrix with the given entries above the diagonal."""
    rows = [[1.0] * n for _ in range(n)]
    for (i, j), value in upper.items():
        rows[i][j] = value
        rows[j][i] = 1 / value
    return rows


def test_three_criteria():
    # The textbook 3×3 (1 vs 2: 3, 1 vs 3: 5, 2 vs 3: 3): w ≈ (0.637, 0.258, 0.105),
    # λ_max ≈ 3.039, CR ≈ 0.033.
    result = ahp(reciprocal({(0, 1): 3, (0, 2): 5, (1, 2): 3}, 3))
    assert [round(w, 3) for w in result.weights] == [0.637, 0.258, 0.105]
    assert round(result.lambda_max, 3) == 3.039
    assert round(result.cr, 3) == 0.033
    assert result.ci == pytest.approx((result.lambda_max - 3) / 2)
    assert result.cr == pytest.approx(result.ci / 0.58)


def test_saaty_wealth_of_nations():
    # Saaty (1980), relative wealth of US, USSR, China, France, UK, Japan, West Germany:
    # eigenvector .427 .230 .021 .052 .052 .123 .094, λ_max 7.61, CR 0.08 (< 0.1).
    upper = {
        (0, 1): 4, (0, 2): 9, (0, 3): 6, (0, 4): 6, (0, 5): 5, (0, 6): 5,
        (1, 2): 7, (1, 3): 5, (1, 4): 5, (1, 5): 3, (1, 6): 4,
        (2, 3): 1 / 5, (2, 4): 1 / 5, (2, 5): 1 / 7, (2, 6): 1 / 5,
        (3, 4): 1, (3, 5): 1 / 3, (3, 6): 1 / 3,
        (4, 5): 1 / 3, (4, 6): 1 / 3,
        (5, 6): 2,
    }  # fmt: skip
    result = ahp(reciprocal(upper, 7))
    assert [round(w, 3) for w in result.weights] == [
        0.427,
        0.230,
        0.021,
        0.052,
        0.052,
        0.123,
        0.094,
    ]
    assert round(result.lambda_max, 2) == 7.61
    assert round(result.cr, 2) == 0.08


def test_saaty_light_intensity_is_too_inconsistent():
    # Saaty's chairs lit at different distances: λ_max ≈ 4.39, CI ≈ 0.13, CR ≈ 0.14 > 0.1.
    matrix = reciprocal({(0, 1): 5, (0, 2): 6, (0, 3): 7, (1, 2): 4, (1, 3): 6, (2, 3): 4}, 4)
    with pytest.raises(AhpError) as caught:
        ahp(matrix)
    assert caught.value.cr == pytest.approx(0.1447, abs=1e-4)
    assert "CR = 0.1447 > 0.1" in str(caught.value)


def test_consistent_matrix_recovers_the_weights():
    weights = [0.4, 0.3, 0.2, 0.1]
    matrix = [[a / b for b in weights] for a in weights]
    result = ahp(matrix)
    assert result.weights == pytest.approx(weights, abs=1e-12)
    assert result.lambda_max == pytest.approx(4, abs=1e-12)
    assert result.ci == pytest.approx(0, abs=1e-12)
    assert result.cr == pytest.approx(0, abs=1e-12)
    assert sum(result.weights) == pytest.approx(1, abs=1e-15)


def test_one_and_two_criteria_have_cr_zero():
    assert ahp([[1]]) == AhpResult(weights=(1.0,), lambda_max=1.0, ci=0.0, cr=0.0)
    two = ahp([[1, 3], [1 / 3, 1]])
    assert two.weights == pytest.approx((0.75, 0.25))
    assert two.cr == 0.0


def test_cyclic_judgements_are_refused():
    matrix = reciprocal({(0, 1): 9, (1, 2): 9, (0, 2): 1 / 9}, 3)
    with pytest.raises(AhpError, match="inconsistent: CR = ") as caught:
        ahp(matrix)
    assert caught.value.cr > 0.1


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([], "matrix: must be a non-empty list of rows"),
        ("1,3", "matrix: must be a non-empty list of rows"),
        ([[1, 3], [1 / 3]], "matrix[1]: has 1 entries but the matrix has 2 rows: not square"),
        ([[1, 3, 5], [1 / 3, 1, 3]], "matrix[0]: has 3 entries but the matrix has 2 rows"),
        ([[1, 3], 5], "matrix[1]: must be a list of numbers"),
        ([[1, -3], [-1 / 3, 1]], "matrix[0][1]: -3 is not a positive number"),
        ([[1, 0], [1, 1]], "matrix[0][1]: 0 is not a positive number"),
        ([[1, "3"], [1 / 3, 1]], "matrix[0][1]: must be a number, not '3'"),
        ([[1, True], [1, 1]], "matrix[0][1]: must be a number"),
        ([[1, 3], [0.33, 1]], "matrix[1][0]: 0.33 is not the reciprocal of matrix[0][1] = 3"),
        ([[2, 1], [1, 1]], "matrix[0][0]: 2 on the diagonal: must be 1"),
        ([[1.0] * 11 for _ in range(11)], "matrix: has 11 rows"),
    ],
)
def test_malformed_matrices_are_refused(matrix, message):
    with pytest.raises(AhpError) as caught:
        ahp(matrix)
    assert str(caught.value).startswith(message)
    assert caught.value.cr is None


def test_reciprocal_within_1e_6():
    ahp([[1, 3], [0.3333334, 1]])  # |0.3333334 − 1/3| < 1e-6
    with pytest.raises(AhpError, match="not reciprocal"):
        ahp([[1, 3], [0.333335, 1]])


def run(path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scoring", "ahp", str(path)],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )


def test_cli_prints_weights(tmp_path):
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps(reciprocal({(0, 1): 3, (0, 2): 5, (1, 2): 3}, 3)))
    completed = run(path)
    assert completed.returncode == 0, completed.stderr
    printed = json.loads(completed.stdout)
    assert list(printed) == ["weights", "lambda_max", "ci", "cr"]
    expected = ahp(json.loads(path.read_text()))
    assert printed == {
        "weights": list(expected.weights),
        "lambda_max": expected.lambda_max,
        "ci": expected.ci,
        "cr": expected.cr,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps([[1, 5, 6, 7], [0.2, 1, 4, 6], [1 / 6, 0.25, 1, 4], [1 / 7, 1 / 6, 0.25, 1]]),
         "CR = 0.1447 > 0.1"),
        (json.dumps([[1, 2, 3], [0.5, 1, 2]]), "not square"),
        (json.dumps([[1, 2], [2, 1]]), "not reciprocal"),
        (json.dumps([[1, -2], [-0.5, 1]]), "not a positive number"),
        ("[[1, 2], [0.5, 1]", "invalid JSON"),
    ],
)  # fmt: skip
def test_cli_refuses_with_status_2(tmp_path, content, message):
    path = tmp_path / "matrix.json"
    path.write_text(content)
    completed = run(path)
    assert completed.returncode == 2
    assert completed.stdout == b""
    assert message in completed.stderr.decode()
