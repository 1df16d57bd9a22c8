"""Command line: recompute a scoring result, or weights by pairwise comparison.

    python -m scoring run INPUT.json     prints the result document (SCORING.md §4)
    python -m scoring ahp MATRIX.json    prints {"weights", "lambda_max", "ci", "cr"}

"-" reads standard input. The output is UTF-8 whatever the locale: for `run`, exactly the
bytes of `scoring.dumps_result`. Refused input, an unreadable file or invalid JSON exits
with status 2 and a message on standard error naming the file and the offending item.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .canonical import dumps_result
from .engine import score
from .errors import AhpError, ScoringInputError
from .weights import ahp

EXIT_REFUSED = 2


class InputFileError(Exception):
    """The file could not be read or is not JSON."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f'duplicate key "{key}" in an object')
        result[key] = value
    return result


def load_json(path: str) -> Any:
    """Parse a JSON file strictly: UTF-8, no NaN/Infinity, no duplicate keys."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as stream:
                raw = stream.read()
    except OSError as error:
        raise InputFileError(f"cannot read the file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputFileError(f"not UTF-8 text (byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise InputFileError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except ValueError as error:
        raise InputFileError(f"invalid JSON: {error}") from None


def _write(text: str) -> None:
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scoring", description="Reproducible appraisal scoring (SCORING.md)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="print the scoring result of a scoring input")
    run.add_argument("input", metavar="INPUT.json", help='the scoring input ("-": stdin)')
    weights = commands.add_parser("ahp", help="weights from a pairwise comparison matrix")
    weights.add_argument("matrix", metavar="MATRIX.json", help='a list of rows ("-": stdin)')
    arguments = parser.parse_args(argv)

    path = arguments.input if arguments.command == "run" else arguments.matrix
    try:
        document = load_json(path)
        if arguments.command == "run":
            _write(dumps_result(score(document)))
        else:
            _write(json.dumps(ahp(document).as_dict(), indent=1, ensure_ascii=False) + "\n")
    except (InputFileError, ScoringInputError, AhpError) as error:
        print(f"python -m scoring {arguments.command}: {path}: {error}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
