"""Small checks and normalisers shared by the schema and the field types. Each check
returns the problems found at a path instead of stopping at the first, so that a
definition's faults come all at once."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from .problems import N_, Problem

LANGUAGES = ("zh", "en")
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
MAX_IDENTIFIER_LENGTH = 64
#: Names (titles, indicator names) fit the database's name columns.
MAX_NAME_LENGTH = 200
#: Characters no text may hold: control characters (bar tab and line breaks) and the
#: non-characters U+FFFE and U+FFFF, which XML (so a workbook) cannot store, and lone
#: surrogates, which UTF-8 cannot encode.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"


def is_number(value: Any) -> bool:
    """A finite int or float; True and False are not numbers here, NaN and ∞ are refused."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def unknown_keys(value: Mapping[str, Any], allowed: Collection[str], path: str) -> list[Problem]:
    return [Problem(join(path, str(key)), N_("unknown key")) for key in value if key not in allowed]


def identifier(value: Any, path: str) -> list[Problem]:
    if value is None:
        return [Problem(path, N_("is required"))]
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        return [
            Problem(
                path,
                N_("must be an identifier: a letter, then letters, digits or '_' (got %(value)r)"),
                {"value": value},
            )
        ]
    if len(value) > MAX_IDENTIFIER_LENGTH:
        return [
            Problem(path, N_("must be at most %(max)s characters"), {"max": MAX_IDENTIFIER_LENGTH})
        ]
    return []


def text(
    value: Any, path: str, *, required: bool = True, max_length: int | None = None
) -> list[Problem]:
    """A {"zh": ..., "en": ...} text. "zh" must be present; it must not be blank when
    `required`. "en" may be missing or empty."""
    if not isinstance(value, Mapping):
        return [Problem(path, N_('must be an object with a "zh" text and an optional "en" text'))]
    problems = unknown_keys(value, LANGUAGES, path)
    if "zh" not in value:
        problems.append(Problem(join(path, "zh"), N_("is required")))
    for language in LANGUAGES:
        if language not in value:
            continue
        entry = value[language]
        entry_path = join(path, language)
        if not isinstance(entry, str):
            problems.append(Problem(entry_path, N_("must be a string")))
        elif language == "zh" and required and not entry.strip():
            problems.append(Problem(entry_path, N_("must not be empty")))
        elif UNWRITABLE.search(entry):
            problems.append(
                Problem(
                    entry_path,
                    N_("must not contain control characters, lone surrogates, U+FFFE or U+FFFF"),
                )
            )
        elif max_length is not None and len(entry) > max_length:
            problems.append(
                Problem(entry_path, N_("must be at most %(max)s characters"), {"max": max_length})
            )
    return problems


def boolean(value: Any, path: str) -> list[Problem]:
    return [] if isinstance(value, bool) else [Problem(path, N_("must be true or false"))]


def weight(value: Any, path: str, *, positive: bool) -> list[Problem]:
    if positive:
        if not is_number(value) or value <= 0:
            return [Problem(path, N_("must be a number greater than 0"))]
    elif not is_number(value) or value < 0:
        return [Problem(path, N_("must be a number of at least 0"))]
    return []


def duplicate(value: Any, seen: dict[Any, str], path: str, owner: str) -> list[Problem]:
    """Record `value` as used by `owner` (a path); a problem if it was used before."""
    if not isinstance(value, str):
        return []
    if value in seen:
        return [
            Problem(
                path,
                N_('"%(value)s" is already the id of %(owner)s'),
                {"value": value, "owner": seen[value]},
            )
        ]
    seen[value] = owner
    return []


def normal_text(value: Mapping[str, str] | None) -> dict[str, str]:
    """A checked text with both languages present; a missing text is empty."""
    value = value or {}
    return {"zh": value.get("zh", ""), "en": value.get("en", "")}


def float_or_none(value: float | None) -> float | None:
    """A float, with -0.0 made 0.0: SQLite stores -0.0 as 0.0, which would change the hash."""
    return None if value is None else float(value) + 0.0
