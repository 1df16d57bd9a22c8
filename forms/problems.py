"""Problems found in a questionnaire definition, each named by the path of its item."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One fault, e.g. path "questions[3].options[1].points", message "must be between 0 and
    100". The path is empty for a fault of the document as a whole."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class QuestionnaireError(ValueError):
    """A definition was refused; `.problems` lists every fault found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))

    @classmethod
    def single(cls, path: str, message: str) -> QuestionnaireError:
        return cls([Problem(path, message)])
