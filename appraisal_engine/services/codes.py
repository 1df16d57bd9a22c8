"""Unguessable public tokens, invitation codes and receipt codes."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

#: Crockford's base-32 without I, L, O, U: no letter that reads as a digit or as another.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 10  # 50 random bits
_SHIFTS = tuple(range(0, 5 * RECEIPT_LENGTH, 5))


def new_link_token() -> str:
    """16 URL-safe characters carrying 96 random bits: short enough for a coarse QR code."""
    return secrets.token_urlsafe(12)


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def receipt_codes() -> Iterator[str]:
    """Receipt codes like new_receipt_code's, each drawn from one random number: for bulk
    imports that need tens of thousands at once."""
    while True:
        value = secrets.randbits(5 * RECEIPT_LENGTH)
        yield "".join(RECEIPT_ALPHABET[(value >> shift) & 31] for shift in _SHIFTS)
