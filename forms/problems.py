"""Problems found in a questionnaire definition, each named by the path of its item, and
the notes of what an import assumed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation where it is written (pybabel's keyword N_); it is
    translated where it is shown: the command line prints English, pages the reader's
    language (`localized`)."""
    return message


def _untranslated(message: str) -> str:
    return message


#: The template of a message another program wrote (pyxform), in English: shown as it is,
#: after a few words in the reader's language that say so.
QUOTED = N_("%(message)s")

#: Places in an imported file as the importers name them ("survey row 7", "survey row 7:
#: text.zh", 'choices list "yes_no"', "line 3 column 5"), and how each is said. The sheet
#: names and the paths after them are XLSForm's and the definition's own, not translated.
_PLACES = (
    (
        re.compile(r"(?P<sheet>survey|choices|settings|indicators) row (?P<row>\d+)"),
        N_("%(sheet)s row %(row)s"),
    ),
    (re.compile(r'choices list "(?P<list>.*)"'), N_('choices list "%(list)s"')),
    (
        re.compile(r"line (?P<line>\d+) column (?P<column>\d+)"),
        N_("line %(line)s column %(column)s"),
    ),
)
_REST = re.compile(r"(?P<place>.*?)(?P<rest>: .*)?\Z", re.DOTALL)


def localized_place(path: str, translate: Callable[[str], str] = _untranslated) -> str:
    """Where a problem is, in the language of `translate`: a sheet and row, a choices
    list or a line and column said in words; a definition's path ("questions[2].text.zh")
    as it is."""
    match = _REST.match(path)
    assert match is not None
    place, rest = match.group("place"), match.group("rest") or ""
    for pattern, template in _PLACES:
        found = pattern.fullmatch(place)
        if found:
            return translate(template) % found.groupdict() + rest
    return path


@dataclass(frozen=True, eq=False)
class Problem:
    """One fault, e.g. path "questions[3].options[1].points", message "must be between 0 and
    100". The path is empty for a fault of the document as a whole. The message is an
    English template (marked with N_) filled with `params`, so that a page can show it in
    its reader's language (`localized`); two problems are equal when they say the same in
    English at the same path."""

    path: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return self.localized()

    def localized(self, translate: Callable[[str], str] = _untranslated) -> str:
        """What is wrong (not where), in the language of `translate` (a gettext)."""
        template = translate(self.template)
        return template % self.params if self.params else template

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.path, self.message) == (other.path, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.message))

    def described(self, translate: Callable[[str], str] = _untranslated) -> str:
        """Where and what, in the language of `translate`: "survey row 7: …"."""
        message = self.localized(translate)
        return f"{localized_place(self.path, translate)}: {message}" if self.path else message

    def __str__(self) -> str:
        return self.described()


@dataclass(frozen=True)
class Note:
    """A default an import assumed where the file said nothing, e.g. that a group became an
    indicator: an English template (marked with N_) filled with `params`."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def localized(self, translate: Callable[[str], str] = _untranslated) -> str:
        """The note in the language of `translate` (a gettext)."""
        template = translate(self.message)
        return template % self.params if self.params else template

    def __str__(self) -> str:
        return self.localized()


class QuestionnaireError(ValueError):
    """A definition was refused; `.problems` lists every fault found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))

    @classmethod
    def single(
        cls, path: str, message: str, params: Mapping[str, Any] | None = None
    ) -> QuestionnaireError:
        """One problem: `message` is an English template (marked with N_) filled with
        `params`."""
        return cls([Problem(path, message, params or {})])
