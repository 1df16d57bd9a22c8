"""Errors raised by the scoring package. Each names what it refuses."""

from __future__ import annotations


class ScoringInputError(ValueError):
    """A scoring input (or one of its parts) was refused.

    `path` names the offending item the way a reader finds it in the JSON document, e.g.
    ``responses[3].points.q9`` or ``params.grades.excellent_quota``; `message` says what is
    wrong with it. ``str(error)`` is ``"<path>: <message>"``.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class AhpError(ValueError):
    """A pairwise comparison matrix was refused: malformed (`path` names the entry) or
    inconsistent (`cr` holds its consistency ratio, which exceeds 0.1)."""

    def __init__(self, path: str, message: str, cr: float | None = None) -> None:
        self.path = path
        self.message = message
        self.cr = cr
        super().__init__(f"{path}: {message}" if path else message)
