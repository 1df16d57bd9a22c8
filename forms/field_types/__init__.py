"""One class per question type; forms.registry maps type names to them."""

from .base import Answer, FieldType, Summary
from .choices import MultipleChoice, SingleChoice
from .scales import Rating, Satisfaction5, Scale0To10, YesNo
from .texts import Comment, ContactPhone, ShortText

__all__ = [
    "Answer",
    "Comment",
    "ContactPhone",
    "FieldType",
    "MultipleChoice",
    "Rating",
    "Satisfaction5",
    "Scale0To10",
    "ShortText",
    "SingleChoice",
    "Summary",
    "YesNo",
]
