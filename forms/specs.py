"""A loaded questionnaire as a tree of frozen dataclasses, made from a normalised
definition (forms.schema.load). The form builder and the templates read this tree; it
turns back into exactly the normalised definition with `as_definition()`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .canonical import content_hash
from .checks import LANGUAGES

FORMAT = "appraisal-questionnaire/1"


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f'unknown language {language!r}; expected "zh" or "en"')
    return language


@dataclass(frozen=True)
class Text:
    """A text in Chinese and, optionally, English."""

    zh: str
    en: str = ""

    @classmethod
    def from_dict(cls, value: Mapping[str, str]) -> Text:
        return cls(zh=value["zh"], en=value["en"])

    def __getitem__(self, language: str) -> str:
        """The text exactly as given in `language` (possibly empty), so that templates can
        write `text[language] or text.zh`."""
        return getattr(self, check_language(language))

    def in_language(self, language: str) -> str:
        """The text in `language`, or the Chinese text where that is empty."""
        return self[language] or self.zh

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Option:
    id: str
    label: Text
    #: Points in [0, 100] (SCORING.md §1); None: the option does not count.
    points: float | None
    #: "Not applicable" / "don't know": recorded, never scored, shown last.
    not_applicable: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label.as_dict(),
            "points": self.points,
            "not_applicable": self.not_applicable,
        }


@dataclass(frozen=True)
class Condition:
    """Show (and accept answers to) a question only when `question` was answered with one
    of the options `one_of`."""

    question: str
    one_of: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "one_of": list(self.one_of)}


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Text
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name.as_dict(), "weight": self.weight}


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Text
    help: Text = Text("")
    required: bool = False
    indicator: str | None = None
    weight: float = 1.0
    #: k of a rating 1..k; None for every other type.
    scale: int | None = None
    options: tuple[Option, ...] = ()
    condition: Condition | None = None

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"question {self.id!r} has no option {option_id!r}")

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "text": self.text.as_dict(),
            "help": self.help.as_dict(),
            "required": self.required,
            "indicator": self.indicator,
            "weight": self.weight,
            "scale": self.scale,
            "options": [option.as_dict() for option in self.options],
            "condition": self.condition.as_dict() if self.condition else None,
        }


@dataclass(frozen=True)
class Questionnaire:
    code: str
    title: Text
    intro: Text
    indicators: tuple[Indicator, ...]
    questions: tuple[Question, ...]

    @classmethod
    def from_normalised(cls, definition: Mapping[str, Any]) -> Questionnaire:
        """The tree of a definition that forms.schema.normalise produced."""
        return cls(
            code=definition["code"],
            title=Text.from_dict(definition["title"]),
            intro=Text.from_dict(definition["intro"]),
            indicators=tuple(
                Indicator(spec["id"], Text.from_dict(spec["name"]), spec["weight"])
                for spec in definition["indicators"]
            ),
            questions=tuple(_question(spec) for spec in definition["questions"]),
        )

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"no question {question_id!r} in questionnaire {self.code!r}")

    def number(self, question_id: str) -> int:
        """The question's number as respondents see it: 1 for the first question."""
        for position, question in enumerate(self.questions, start=1):
            if question.id == question_id:
                return position
        raise KeyError(f"no question {question_id!r} in questionnaire {self.code!r}")

    def as_definition(self) -> dict[str, Any]:
        """The normalised definition (appraisal-questionnaire/1) of this questionnaire."""
        return {
            "format": FORMAT,
            "code": self.code,
            "title": self.title.as_dict(),
            "intro": self.intro.as_dict(),
            "indicators": [indicator.as_dict() for indicator in self.indicators],
            "questions": [question.as_dict() for question in self.questions],
        }

    @property
    def content_hash(self) -> str:
        return content_hash(self.as_definition())


def _question(spec: Mapping[str, Any]) -> Question:
    condition = spec["condition"]
    return Question(
        id=spec["id"],
        type=spec["type"],
        text=Text.from_dict(spec["text"]),
        help=Text.from_dict(spec["help"]),
        required=spec["required"],
        indicator=spec["indicator"],
        weight=spec["weight"],
        scale=spec["scale"],
        options=tuple(
            Option(
                option["id"],
                Text.from_dict(option["label"]),
                option["points"],
                option["not_applicable"],
            )
            for option in spec["options"]
        ),
        condition=(
            Condition(condition["question"], tuple(condition["one_of"])) if condition else None
        ),
    )
