"""Errors raised by the scoring package. Each names what it refuses.

What is wrong is an English template marked with ``N_`` (a msgid of the app's catalogue)
filled with `params`, the convention of `forms.problems.Problem`: ``str(error)`` and
`.message` are English (the command line prints them); a page shows
``error.localized(gettext)``, which translates the template, and any param that is a
`Term`, before filling it in. The `path` (``params.grades.fail_below``) is the JSON
document's and is never translated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class Term(str):
    """A param that is itself a msgid (a word such as "a boolean"), translated with the
    template."""

    __slots__ = ()


def _untranslated(message: str) -> str:
    return message


class _Refusal(ValueError):
    def __init__(self, path: str, message: str, params: Mapping[str, Any] | None = None) -> None:
        self.path = path
        #: The msgid: an English template with %(name)s placeholders where `params` is given.
        self.template = message
        self.params = dict(params or {})
        #: What is wrong, in English (not where).
        self.message = self.localized()
        super().__init__(f"{path}: {self.message}" if path else self.message)

    def localized(self, translate: Callable[[str], str] = _untranslated) -> str:
        """What is wrong (not where), in the language of `translate` (a gettext)."""
        template = translate(self.template)
        if not self.params:
            return template
        return template % {
            name: translate(value) if isinstance(value, Term) else value
            for name, value in self.params.items()
        }

    def described(self, translate: Callable[[str], str] = _untranslated) -> str:
        """``"<path>: <what is wrong>"`` in the language of `translate`."""
        message = self.localized(translate)
        return f"{self.path}: {message}" if self.path else message


class ScoringInputError(_Refusal):
    """A scoring input (or one of its parts) was refused.

    `path` names the offending item the way a reader finds it in the JSON document, e.g.
    ``responses[3].points.q9`` or ``params.grades.excellent_quota``; `message` says what is
    wrong with it. ``str(error)`` is ``"<path>: <message>"``.
    """


class AhpError(_Refusal):
    """A pairwise comparison matrix was refused: malformed (`path` names the entry) or
    inconsistent (`cr` holds its consistency ratio, which exceeds 0.1)."""

    def __init__(
        self,
        path: str,
        message: str,
        params: Mapping[str, Any] | None = None,
        cr: float | None = None,
    ) -> None:
        self.cr = cr
        super().__init__(path, message, params)
