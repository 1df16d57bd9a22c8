"""Problems found in a questionnaire definition, each named by the path of its item, and
the notes of what an import assumed."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Problem:
    """One fault, e.g. path "questions[3].options[1].points", message "must be between 0 and
    100". The path is empty for a fault of the document as a whole. A message with
    `params` is an English template (marked with N_) filled with them."""

    path: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def localized(self, translate: Callable[[str], str] = _untranslated) -> str:
        """What is wrong (not where), in the language of `translate` (a gettext)."""
        template = translate(self.message)
        return template % self.params if self.params else template

    def __str__(self) -> str:
        return f"{self.path}: {self.localized()}" if self.path else self.localized()


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
    def single(cls, path: str, message: str) -> QuestionnaireError:
        return cls([Problem(path, message)])
