"""Scales: k ordered options, worst first, whose default points follow SCORING.md §1 —
option i of k gets 100·(i−1)/(k−1) (so 10·v on the 0–10 scale). A scale may add one
"not applicable" option, which never counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..checks import join
from ..problems import N_, Problem
from ..specs import Text
from .choices import ChoiceType, is_not_applicable

SATISFACTION_OPTIONS = (
    ("very_dissatisfied", Text("非常不满意", "Very dissatisfied")),
    ("dissatisfied", Text("不满意", "Dissatisfied")),
    ("neutral", Text("一般", "Neither")),
    ("satisfied", Text("满意", "Satisfied")),
    ("very_satisfied", Text("非常满意", "Very satisfied")),
)
YES_NO_OPTIONS = (("no", Text("否", "No")), ("yes", Text("是", "Yes")))
MIN_RATING_SCALE = 2
MAX_RATING_SCALE = 10


def scale_points(position: int, size: int) -> float:
    """Default points of option `position` (1-based) of a scale of `size`, worst first."""
    return 100.0 * (position - 1) / (size - 1)


def numbered_option_id(value: int) -> str:
    """The id of the option for the number `value` (ids must start with a letter)."""
    return f"v{value}"


class ScaleType(ChoiceType):
    scored = True

    def size(self, spec: Mapping[str, Any]) -> int | None:
        """k, the number of options besides a not-applicable one; None if the spec does not
        tell (a rating without a valid scale)."""
        raise NotImplementedError

    def labelled_options(self, size: int) -> list[tuple[str, Text]]:
        raise NotImplementedError

    def check_missing_options(self, spec: Mapping[str, Any], path: str) -> list[Problem]:
        return []

    def check_option_count(
        self, spec: Mapping[str, Any], options: list[Any], path: str
    ) -> list[Problem]:
        size = self.size(spec)
        scored = sum(not is_not_applicable(option) for option in options)
        if size is not None and scored != size:
            return [
                Problem(
                    path,
                    N_(
                        "a %(type)s question needs exactly %(size)s options besides a "
                        "not-applicable one (found %(found)s)"
                    ),
                    {"type": self.name, "size": size, "found": scored},
                )
            ]
        return []

    def default_points(self, position: int, spec: Mapping[str, Any]) -> float | None:
        size = self.size(spec)
        return None if size is None else scale_points(position, size)

    def default_options(self, spec: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        size = self.size(spec)
        if size is None:
            return None
        return [
            {
                "id": option_id,
                "label": option_label.as_dict(),
                "points": scale_points(position, size),
                "not_applicable": False,
            }
            for position, (option_id, option_label) in enumerate(
                self.labelled_options(size), start=1
            )
        ]


class Satisfaction5(ScaleType):
    name = "satisfaction5"
    title = Text("五级满意度", "Five-level satisfaction")

    def size(self, spec: Mapping[str, Any]) -> int | None:
        return len(SATISFACTION_OPTIONS)

    def labelled_options(self, size: int) -> list[tuple[str, Text]]:
        return list(SATISFACTION_OPTIONS)


class YesNo(ScaleType):
    """A 2-scale: "no" scores 0, "yes" 100."""

    name = "yes_no"
    title = Text("是非题", "Yes / no")

    def size(self, spec: Mapping[str, Any]) -> int | None:
        return len(YES_NO_OPTIONS)

    def labelled_options(self, size: int) -> list[tuple[str, Text]]:
        return list(YES_NO_OPTIONS)


class NumberedScale(ScaleType):
    """Options labelled with numbers, ids "v<number>"."""

    first: ClassVar[int]

    def labelled_options(self, size: int) -> list[tuple[str, Text]]:
        values = range(self.first, self.first + size)
        return [(numbered_option_id(value), Text(str(value), str(value))) for value in values]


class Rating(NumberedScale):
    """A rating 1..k; k ("scale") from 2 to 10."""

    name = "rating"
    title = Text("评分（1–k）", "Rating 1–k")
    first = 1

    def size(self, spec: Mapping[str, Any]) -> int | None:
        scale = spec.get("scale")
        is_whole = isinstance(scale, int) and not isinstance(scale, bool)
        return scale if is_whole and MIN_RATING_SCALE <= scale <= MAX_RATING_SCALE else None

    def scale(self, spec: Mapping[str, Any]) -> int | None:
        return self.size(spec)

    def check_scale(self, spec: Mapping[str, Any], path: str) -> list[Problem]:
        if self.size(spec) is None:
            return [
                Problem(
                    join(path, "scale"),
                    N_("must be a whole number from %(min)s to %(max)s"),
                    {"min": MIN_RATING_SCALE, "max": MAX_RATING_SCALE},
                )
            ]
        return []


class Scale0To10(NumberedScale):
    """0 to 10 ("how likely …"); v scores 10·v."""

    name = "scale_0_10"
    title = Text("0–10 分", "Scale 0–10")
    first = 0

    def size(self, spec: Mapping[str, Any]) -> int | None:
        return 11
