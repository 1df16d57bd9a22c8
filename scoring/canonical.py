"""Canonical JSON, the input hash and the exact bytes of a result document.

- `canonical_json`: keys sorted, separators "," and ":", UTF-8, non-ASCII kept, NaN and
  infinities refused (SCORING.md §4). Its SHA-256 is `input_sha256`.
- `dumps_result`: the text `python -m scoring run` prints and the app stores:
  ``json.dumps(result, indent=1, ensure_ascii=False, allow_nan=False) + "\\n"``, keys in the
  order the result document is built (the order of SCORING.md's worked examples), floats as
  Python's shortest round-trip `repr`. Encode it as UTF-8 to get the stored bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(obj: Any) -> bytes:
    """The canonical JSON bytes of a JSON value (dicts, lists, str, int, float, bool, None)."""
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def input_sha256(document: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a scoring input document, as given: defaults
    that the document leaves out are not filled in before hashing."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def dumps_result(result: dict[str, Any]) -> str:
    """The exact text of a result document (one trailing newline)."""
    return json.dumps(result, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
