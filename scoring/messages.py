"""Messages of the scoring package a person may read: English msgids, translated where
they are shown (the app's catalogue, through `pybabel extract` with keyword ``N_``; the
command line prints them in English)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is written; it is translated where shown."""
    return message
