"""What every question type knows: its part of the definition (scale, options, default
options and points), its WTForms field, the answers it stores and their summary."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from wtforms.fields.core import UnboundField

from ..checks import join
from ..problems import N_, Problem
from ..specs import Question, Text

#: A stored answer: the chosen option (None for a text), the text written (None for an
#: option), and the points it scores (None: it does not count).
Answer = dict[str, Any]


def answer(
    option: str | None = None, text: str | None = None, points: float | None = None
) -> Answer:
    return {"option": option, "text": text, "points": points}


@dataclass(frozen=True)
class Summary:
    """The answers to one question, counted. Small sets only (a preview, a test): the app
    counts a campaign's answers in SQL."""

    #: Stored answers (a multiple-choice response stores one per chosen option).
    answers: int
    #: Answers per option id, every option listed in the question's order; {} for texts.
    counts: dict[str, int]
    #: Mean of the answers' points where any carry points, else None.
    mean_points: float | None
    #: Answers with a non-empty text.
    texts: int


class FieldType:
    """One question type. Subclasses set the class variables and override what differs."""

    #: The type's name in definitions ("satisfaction5").
    name: ClassVar[str]
    #: The type as people call it.
    title: ClassVar[Text]
    #: A scored question counts towards an indicator, so it must name one.
    scored: ClassVar[bool] = False
    #: Answered by choosing options, so a display condition may test it.
    has_options: ClassVar[bool] = False

    # The definition -------------------------------------------------------------------

    def check(self, spec: Mapping[str, Any], path: str) -> list[Problem]:
        """Problems of the type-specific parts of a question spec: its scale and options."""
        return self.check_scale(spec, path) + self.check_options(spec, path)

    def check_scale(self, spec: Mapping[str, Any], path: str) -> list[Problem]:
        if spec.get("scale") is not None:
            return [Problem(join(path, "scale"), N_("only a rating question has a scale"))]
        return []

    def check_options(self, spec: Mapping[str, Any], path: str) -> list[Problem]:
        if spec.get("options"):
            return [
                Problem(
                    join(path, "options"),
                    N_("a %(type)s question has no options"),
                    {"type": self.name},
                )
            ]
        return []

    def scale(self, spec: Mapping[str, Any]) -> int | None:
        """The normalised "scale" of a checked spec."""
        return None

    def option_ids(self, spec: Mapping[str, Any]) -> list[str] | None:
        """The option ids a condition may name; None where the spec's options are too
        broken to tell (their own problems are reported)."""
        return []

    def normalise_options(self, spec: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The full options of a checked spec, defaults filled in."""
        return []

    # The form ---------------------------------------------------------------------------

    def make_field(self, question: Question, language: str, validators: list[Any]) -> UnboundField:
        """The unbound WTForms field for `question`, labelled in `language`. `validators`
        come first (display condition, required); the type adds its own after them."""
        raise NotImplementedError

    def answers(self, question: Question, data: Any) -> list[Answer]:
        """The answers to store for the field's data; [] when the question was not answered."""
        raise NotImplementedError

    def summarise(self, question: Question, answers: Iterable[Mapping[str, Any]]) -> Summary:
        counts = {option.id: 0 for option in question.options}
        total = texts = 0
        points: list[float] = []
        for stored in answers:
            total += 1
            if stored.get("option") in counts:
                counts[stored["option"]] += 1
            if stored.get("points") is not None:
                points.append(stored["points"])
            if stored.get("text"):
                texts += 1
        mean = math.fsum(points) / len(points) if points else None
        return Summary(answers=total, counts=counts, mean_points=mean, texts=texts)


def label(question: Question, language: str) -> str:
    return question.text.in_language(language)


def description(question: Question, language: str) -> str:
    return question.help.in_language(language)


def not_applicable_last(options: Sequence[Any]) -> list[Any]:
    """Options as shown: a not-applicable option last, the others in their order."""
    return [o for o in options if not o.not_applicable] + [o for o in options if o.not_applicable]
