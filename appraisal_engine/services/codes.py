"""Unguessable public tokens, invitation codes people can type, and receipt codes."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

#: Crockford's base-32 without I, L, O, U: no letter that reads as a digit or as another.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 10  # 50 random bits
_SHIFTS = tuple(range(0, 5 * RECEIPT_LENGTH, 5))

#: Invitation codes are typed by people from a printed card: Crockford's base-32, in two
#: groups of five ("K7QMX-4TZPQ"), 50 random bits. Guessing is rate-limited per address
#: (APPRAISAL_RATE_LIMIT_GUESS), so with 10,000 codes out, one address guessing at 30 a
#: minute needs on average some 60,000 hours to hit one.
INVITATION_LENGTH = 10
INVITATION_GROUP = 5
#: What people type for the letters Crockford's alphabet leaves out.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -._\t")


def new_link_token() -> str:
    """16 URL-safe characters carrying 96 random bits: short enough for a coarse QR code."""
    return secrets.token_urlsafe(12)


def new_invitation_code() -> str:
    """A one-time invitation code as stored (and in its link's URL): 10 characters."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(INVITATION_LENGTH))


def typed_invitation_code(text: str) -> str | None:
    """The stored form of an invitation code as a person typed it ("k7qmx 4tzpq",
    "K7QMX-4TZPQ", O for 0, I or L for 1); None when it cannot be one."""
    cleaned = text.upper().translate(_SEPARATORS).translate(_READS_AS)
    if len(cleaned) == INVITATION_LENGTH and all(ch in RECEIPT_ALPHABET for ch in cleaned):
        return cleaned
    return None


def grouped_code(token: str) -> str:
    """An invitation code in groups for reading and typing ("K7QMX-4TZPQ"); a token of
    another form (an open link's, or an invitation made before short codes) as it is."""
    if typed_invitation_code(token) != token:
        return token
    return "-".join(
        token[start : start + INVITATION_GROUP] for start in range(0, len(token), INVITATION_GROUP)
    )


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def receipt_codes() -> Iterator[str]:
    """Receipt codes like new_receipt_code's, each drawn from one random number: for bulk
    imports that need tens of thousands at once."""
    while True:
        value = secrets.randbits(5 * RECEIPT_LENGTH)
        yield "".join(RECEIPT_ALPHABET[(value >> shift) & 31] for shift in _SHIFTS)
