"""WTForms forms built from a questionnaire, and the answers they yield.

A fresh form class is made per call, with one field per question named `q_<question id>`,
so field names stay stable across versions that keep a question's id. Display conditions
are enforced here, on the server: a question whose condition does not hold is neither
validated nor required, and its answers are discarded — whatever the browser sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wtforms import Field, Form
from wtforms.validators import InputRequired, Optional, StopValidation

from . import messages
from .field_types import Answer
from .registry import field_type
from .schema import load
from .specs import Question, Questionnaire, check_language

FIELD_PREFIX = "q_"


def field_name(question_id: str) -> str:
    return f"{FIELD_PREFIX}{question_id}"


class AnswerRequired(InputRequired):
    """InputRequired that also refuses an answer of nothing but spaces."""

    def __call__(self, form: Form, field: Field) -> None:
        super().__call__(form, field)
        raw = field.raw_data[0] if field.raw_data else ""
        if isinstance(raw, str) and not raw.strip():
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext("This field is required."))


class ShownOnlyWhen:
    """First validator of a conditional question: when its condition does not hold, the
    question is skipped like an empty optional one (errors cleared, chain stopped)."""

    def __init__(self, questionnaire: Questionnaire, question_id: str) -> None:
        self.questionnaire = questionnaire
        self.question_id = question_id

    def __call__(self, form: Form, field: Field) -> None:
        if self.question_id not in shown_questions(self.questionnaire, _chosen_in(form)):
            field.errors[:] = []
            raise StopValidation()


def shown_questions(
    questionnaire: Questionnaire, chosen: Callable[[Question], set[str]]
) -> set[str]:
    """Ids of the questions whose display condition holds, given `chosen(question)`: the
    option ids chosen for a question. A condition holds when its question is itself shown
    and one of `one_of` was chosen there; conditions name earlier questions only, so one
    pass in order decides them all."""
    shown: set[str] = set()
    chosen_by_question: dict[str, set[str]] = {}
    for question in questionnaire.questions:
        condition = question.condition
        if condition is None or (
            condition.question in shown
            and chosen_by_question[condition.question] & set(condition.one_of)
        ):
            shown.add(question.id)
            chosen_by_question[question.id] = chosen(question) & set(question.option_ids)
    return shown


def _chosen_in(form: Form) -> Callable[[Question], set[str]]:
    def chosen(question: Question) -> set[str]:
        data = form[field_name(question.id)].data
        if isinstance(data, list | tuple):
            return {value for value in data if isinstance(value, str)}
        return {data} if isinstance(data, str) else set()

    return chosen


def _questionnaire(questionnaire: Questionnaire | Mapping[str, Any]) -> Questionnaire:
    return questionnaire if isinstance(questionnaire, Questionnaire) else load(questionnaire)


def _validators(question: Question, questionnaire: Questionnaire, language: str) -> list[Any]:
    validators: list[Any] = []
    if question.condition is not None:
        validators.append(ShownOnlyWhen(questionnaire, question.id))
    if question.required:
        required = AnswerRequired(messages.REQUIRED.in_language(language))
        if question.condition is not None:
            # No "required" attribute in the HTML: the browser must not demand an answer to
            # a question it may hide; the server decides.
            required.field_flags = {}
        validators.append(required)
    else:
        validators.append(Optional())
    return validators


def build_form_class(
    questionnaire: Questionnaire | Mapping[str, Any],
    language: str = "zh",
    base: type[Form] = Form,
) -> type[Form]:
    """A new form class for `questionnaire` (a Questionnaire, or a definition to load),
    labelled in `language` ("zh" or "en"). `base` may be a CSRF-protected form class.
    The class carries `questionnaire` and `language` as attributes."""
    questionnaire = _questionnaire(questionnaire)
    check_language(language)
    attributes: dict[str, Any] = {
        "questionnaire": questionnaire,
        "language": language,
        "Meta": type("Meta", (), {"locales": [language]}),
    }
    for question in questionnaire.questions:
        attributes[field_name(question.id)] = field_type(question.type).make_field(
            question, language, _validators(question, questionnaire, language)
        )
    return type("QuestionnaireForm", (base,), attributes)


def answers_from_form(
    form: Form, questionnaire: Questionnaire | Mapping[str, Any] | None = None
) -> dict[str, list[Answer]]:
    """The answers of a validated form, by question id, in question order. Questions that
    were not answered, or whose display condition does not hold, are left out."""
    questionnaire = _questionnaire(
        questionnaire if questionnaire is not None else form.questionnaire
    )
    chosen = _chosen_in(form)
    shown = shown_questions(questionnaire, chosen)
    answers: dict[str, list[Answer]] = {}
    for question in questionnaire.questions:
        if question.id not in shown:
            continue
        stored = field_type(question.type).answers(question, form[field_name(question.id)].data)
        if stored:
            answers[question.id] = stored
    return answers


def validate_submission(
    formdata: Any,
    questionnaire: Questionnaire | Mapping[str, Any],
    language: str = "zh",
    base: type[Form] = Form,
) -> tuple[Form, dict[str, list[Answer]] | None]:
    """Build the form, fill it from `formdata` (a MultiDict) and validate it: the form
    (with its errors, to show again) and the answers, or None when it is not valid."""
    questionnaire = _questionnaire(questionnaire)
    form = build_form_class(questionnaire, language, base)(formdata)
    if not form.validate():
        return form, None
    return form, answers_from_form(form, questionnaire)


def _listing(items: list[str], language: str) -> str:
    """ "A", "B" or "C" — joined as each language writes a list of alternatives."""
    if len(items) == 1:
        return items[0]
    if language == "zh":
        return "、".join(items[:-1]) + "或" + items[-1]
    return ", ".join(items[:-1]) + " or " + items[-1]


def condition_text(
    question: Question, questionnaire: Questionnaire | Mapping[str, Any], language: str = "zh"
) -> str:
    """The question's display condition in words, e.g. "仅当第2题选择“不满意”或“非常不满意”
    时回答"; "" when the question has none. Shown where script cannot hide the question."""
    questionnaire = _questionnaire(questionnaire)
    check_language(language)
    condition = question.condition
    if condition is None:
        return ""
    target = questionnaire.question(condition.question)
    number = questionnaire.number(target.id)
    labels = [
        f"“{target.option(option_id).label.in_language(language)}”"
        for option_id in condition.one_of
    ]
    if language == "zh":
        return f"仅当第{number}题选择{_listing(labels, language)}时回答"
    return f"Answer only if you chose {_listing(labels, language)} in question {number}"
