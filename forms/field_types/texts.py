"""Questions answered in words: a short text, a comment and an optional mobile number.
None of them is scored (SCORING.md §1)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, ClassVar

from wtforms import Field, StringField, TelField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, ValidationError

from .. import messages
from ..specs import Question, Text
from .base import Answer, FieldType, answer, description, label

#: A mainland China mobile number, optionally with the country code +86; spaces and
#: hyphens between digits are allowed and dropped.
MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})\Z")
PHONE_SEPARATORS = re.compile(r"[\s-]+")


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def mobile_number(value: str) -> str | None:
    """The 11-digit number in `value`, or None when it is not a mainland mobile number.
    Full-width digits (as Chinese input methods type them) count as digits."""
    match = MOBILE.match(PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value)))
    return match.group(1) if match else None


#: Control characters other than tab and line breaks: never meant, and a NUL cannot even
#: be stored by PostgreSQL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class NoControlCharacters:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and CONTROL.search(field.data):
            raise ValidationError(self.message)


class MainlandMobile:
    """Validates a mainland China mobile number (1[3-9] and nine digits, optionally +86)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and mobile_number(field.data) is None:
            raise ValidationError(self.message)


class TextType(FieldType):
    field_class: ClassVar[type[Field]]
    max_length: ClassVar[int]

    def extra_validators(self, language: str) -> list[Any]:
        return [
            Length(max=self.max_length, message=messages.TOO_LONG.in_language(language)),
            NoControlCharacters(messages.CONTROL_CHARACTERS.in_language(language)),
        ]

    def make_field(self, question: Question, language: str, validators: list[Any]) -> UnboundField:
        return self.field_class(
            label(question, language),
            validators=[*validators, *self.extra_validators(language)],
            filters=[strip],
            description=description(question, language),
        )

    def answers(self, question: Question, data: Any) -> list[Answer]:
        written = strip(data)
        return [answer(text=written)] if written else []


class ShortText(TextType):
    name = "short_text"
    title = Text("简答（一行）", "Short text")
    field_class = StringField
    max_length = 200


class Comment(TextType):
    name = "comment"
    title = Text("意见（多行）", "Comment")
    field_class = TextAreaField
    max_length = 2000


class ContactPhone(TextType):
    """A mobile number for a reply; stored as its 11 digits."""

    name = "contact_phone"
    title = Text("联系电话", "Contact phone")
    field_class = TelField
    max_length = 20

    def extra_validators(self, language: str) -> list[Any]:
        return [
            *super().extra_validators(language),
            MainlandMobile(messages.PHONE.in_language(language)),
        ]

    def answers(self, question: Question, data: Any) -> list[Answer]:
        number = mobile_number(strip(data) or "")
        return [answer(text=number)] if number else []
