"""Questions answered by choosing: single and multiple choice, and the base of the scales."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from wtforms import RadioField, SelectMultipleField

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) pairs

    def SelectChoice(value: str, label: str) -> tuple[str, str]:  # type: ignore[no-redef]
        return (value, label)


from wtforms.fields.core import UnboundField
from wtforms.widgets import CheckboxInput, ListWidget

from ..checks import (
    duplicate,
    float_or_none,
    identifier,
    is_number,
    item,
    join,
    normal_text,
    text,
    unknown_keys,
)
from ..problems import N_, Problem
from ..specs import Question, Text
from .base import Answer, FieldType, description, label, not_applicable_last
from .base import answer as make_answer

OPTION_KEYS = ("id", "label", "points", "not_applicable")


def is_not_applicable(option: Any) -> bool:
    return isinstance(option, Mapping) and bool(option.get("not_applicable"))


class ChoiceType(FieldType):
    """Options given in the definition; one is chosen, shown as radio buttons."""

    has_options = True
    #: Whether options may carry points (a multiple choice's may not: SCORING.md §1).
    options_carry_points: ClassVar[bool] = True

    def check_options(self, spec: Mapping[str, Any], path: str) -> list[Problem]:
        options = spec.get("options")
        options_path = join(path, "options")
        if options is None:
            return self.check_missing_options(spec, options_path)
        if not isinstance(options, list):
            return [Problem(options_path, N_("must be a list of options"))]
        problems: list[Problem] = []
        seen: dict[Any, str] = {}
        for index, option in enumerate(options):
            problems += self.check_option(option, item(options_path, index), seen)
        if sum(is_not_applicable(option) for option in options) > 1:
            problems.append(Problem(options_path, N_("at most one option may be not applicable")))
        return problems + self.check_option_count(spec, options, options_path)

    def check_missing_options(self, spec: Mapping[str, Any], path: str) -> list[Problem]:
        return [Problem(path, N_("a %(type)s question must list its options"), {"type": self.name})]

    def check_option_count(
        self, spec: Mapping[str, Any], options: list[Any], path: str
    ) -> list[Problem]:
        scored = sum(not is_not_applicable(option) for option in options)
        if scored < 2:
            return [Problem(path, N_("must list at least 2 options besides a not-applicable one"))]
        return []

    def check_option(self, option: Any, path: str, seen: dict[Any, str]) -> list[Problem]:
        if not isinstance(option, Mapping):
            return [Problem(path, N_("must be an object"))]
        problems = unknown_keys(option, OPTION_KEYS, path)
        problems += identifier(option.get("id"), join(path, "id"))
        problems += duplicate(option.get("id"), seen, join(path, "id"), path)
        if "label" in option:
            problems += text(option["label"], join(path, "label"))
        else:
            problems.append(Problem(join(path, "label"), N_("is required")))
        not_applicable = option.get("not_applicable", False)
        if not isinstance(not_applicable, bool):
            problems.append(Problem(join(path, "not_applicable"), N_("must be true or false")))
        points = option.get("points")
        points_path = join(path, "points")
        if points is None:
            pass
        elif not is_number(points):
            problems.append(Problem(points_path, N_("must be a number between 0 and 100, or null")))
        elif not 0 <= points <= 100:
            problems.append(Problem(points_path, N_("must be between 0 and 100")))
        elif not_applicable is True:
            problems.append(Problem(points_path, N_("a not-applicable option has no points")))
        elif not self.options_carry_points:
            problems.append(
                Problem(
                    points_path,
                    N_("options of a %(type)s question carry no points"),
                    {"type": self.name},
                )
            )
        return problems

    def default_options(self, spec: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        """The options of a spec that lists none; None where options must be listed."""
        return None

    def default_points(self, position: int, spec: Mapping[str, Any]) -> float | None:
        """Points of the `position`-th (1-based) option that is not "not applicable",
        where the option states none."""
        return None

    def option_ids(self, spec: Mapping[str, Any]) -> list[str] | None:
        options = spec.get("options")
        if options is None:
            defaults = self.default_options(spec)
            return None if defaults is None else [option["id"] for option in defaults]
        if not isinstance(options, list):
            return None
        return [
            option["id"]
            for option in options
            if isinstance(option, Mapping) and isinstance(option.get("id"), str)
        ]

    def normalise_options(self, spec: Mapping[str, Any]) -> list[dict[str, Any]]:
        options = spec.get("options")
        if options is None:
            return self.default_options(spec) or []
        normalised = []
        position = 0
        for option in options:
            not_applicable = option.get("not_applicable", False)
            if not not_applicable:
                position += 1
            if "points" in option:
                points = option["points"]
            else:
                points = None if not_applicable else self.default_points(position, spec)
            normalised.append(
                {
                    "id": option["id"],
                    "label": normal_text(option["label"]),
                    "points": float_or_none(points),
                    "not_applicable": not_applicable,
                }
            )
        return normalised

    def choices(self, question: Question, language: str) -> list[Any]:
        return [
            SelectChoice(option.id, option.label.in_language(language))
            for option in not_applicable_last(question.options)
        ]

    def make_field(self, question: Question, language: str, validators: list[Any]) -> UnboundField:
        return RadioField(
            label(question, language),
            choices=self.choices(question, language),
            validators=validators,
            description=description(question, language),
        )

    def answers(self, question: Question, data: Any) -> list[Answer]:
        for option in question.options:
            if option.id == data:
                return [make_answer(option=option.id, points=option.points)]
        return []


class SingleChoice(ChoiceType):
    name = "single_choice"
    title = Text("单选题", "Single choice")
    scored = True


class MultipleChoice(ChoiceType):
    """Any number of options, shown as checkboxes. Never scored (SCORING.md §1); each
    chosen option is stored as one answer."""

    name = "multiple_choice"
    title = Text("多选题", "Multiple choice")
    options_carry_points = False

    def make_field(self, question: Question, language: str, validators: list[Any]) -> UnboundField:
        return SelectMultipleField(
            label(question, language),
            choices=self.choices(question, language),
            validators=validators,
            description=description(question, language),
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )

    def answers(self, question: Question, data: Any) -> list[Answer]:
        chosen = set(data or ())
        return [
            make_answer(option=option.id, points=option.points)
            for option in question.options
            if option.id in chosen
        ]
