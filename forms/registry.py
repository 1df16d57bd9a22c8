"""The question types by name. An unknown name is an error, never a fallback to some
other type (STYLE.md)."""

from __future__ import annotations

from .field_types import (
    Comment,
    ContactPhone,
    FieldType,
    MultipleChoice,
    Rating,
    Satisfaction5,
    Scale0To10,
    ShortText,
    SingleChoice,
    YesNo,
)


class UnknownQuestionType(LookupError):
    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__(
            f"unknown question type {name!r}; the types are: {', '.join(QUESTION_TYPES)}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


FIELD_TYPES: dict[str, FieldType] = {
    field_type.name: field_type
    for field_type in (
        Satisfaction5(),
        Rating(),
        Scale0To10(),
        YesNo(),
        SingleChoice(),
        MultipleChoice(),
        ShortText(),
        Comment(),
        ContactPhone(),
    )
}
#: The type names in the order an editor offers them.
QUESTION_TYPES: tuple[str, ...] = tuple(FIELD_TYPES)
SCORED_TYPES: tuple[str, ...] = tuple(name for name, kind in FIELD_TYPES.items() if kind.scored)
CHOICE_TYPES: tuple[str, ...] = tuple(
    name for name, kind in FIELD_TYPES.items() if kind.has_options
)


def field_type(name: object) -> FieldType:
    """The type called `name`; UnknownQuestionType otherwise."""
    try:
        return FIELD_TYPES[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnknownQuestionType(name) from None
