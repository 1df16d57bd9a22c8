"""Cleaning short texts that people type and others read (names, labels)."""

from __future__ import annotations

import unicodedata

#: Control characters (NUL, which PostgreSQL cannot store, among them) and invisible
#: format characters (right-to-left overrides, zero-width joiners) that can make a name
#: display as something else.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})


def has_hidden_characters(text: str) -> bool:
    return any(unicodedata.category(c) in HIDDEN_CATEGORIES for c in text)


def plain_line(text: str, limit: int) -> str:
    """`text` without hidden characters, its runs of white space made one space, cut to
    `limit` characters."""
    visible = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in HIDDEN_CATEGORIES
    )
    return " ".join(visible.split())[:limit]
