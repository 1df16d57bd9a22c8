"""The questionnaire definition `appraisal-questionnaire/1`: validation, the normalised
form, and loading into a forms.specs.Questionnaire.

A definition is plain data (JSON)::

    {"format": "appraisal-questionnaire/1", "code": str, "title": {"zh", "en"},
     "intro": {"zh", "en"},
     "indicators": [{"id", "name": {"zh", "en"}, "weight": > 0}],
     "questions": [{"id", "type", "text": {"zh", "en"}, "help": {"zh", "en"},
                    "required": bool, "indicator": id or null, "weight": >= 0,
                    "scale": k or null, "options": [{"id", "label": {"zh", "en"},
                    "points": [0, 100] or null, "not_applicable": bool}],
                    "condition": {"question": id, "one_of": [option ids]} or null}]}

`normalise` fills in every default, so two definitions that mean the same thing
normalise to the same document and so to the same content hash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import canonical
from .checks import (
    MAX_NAME_LENGTH,
    boolean,
    duplicate,
    float_or_none,
    identifier,
    item,
    join,
    normal_text,
    text,
    unknown_keys,
    weight,
)
from .field_types import FieldType
from .problems import N_, Problem, QuestionnaireError
from .registry import FIELD_TYPES, QUESTION_TYPES, field_type
from .specs import FORMAT, Questionnaire

__all__ = [
    "FORMAT",
    "Problem",
    "QuestionnaireError",
    "content_hash",
    "load",
    "normalise",
    "validate",
]

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
MAX_CODE_LENGTH = 64
TOP_KEYS = ("format", "code", "title", "intro", "indicators", "questions")
INDICATOR_KEYS = ("id", "name", "weight")
QUESTION_KEYS = (
    "id",
    "type",
    "text",
    "help",
    "required",
    "indicator",
    "weight",
    "scale",
    "options",
    "condition",
)
CONDITION_KEYS = ("question", "one_of")


def validate(definition: Any) -> list[Problem]:
    """Every problem of `definition`, in document order; [] when it is valid."""
    if not isinstance(definition, Mapping):
        return [Problem("", N_("a questionnaire definition must be an object"))]
    problems = unknown_keys(definition, TOP_KEYS, "")
    problems += _check_format(definition)
    problems += _check_code(definition.get("code"))
    if "title" in definition:
        problems += text(definition["title"], "title", max_length=MAX_NAME_LENGTH)
    else:
        problems.append(Problem("title", N_("is required")))
    if definition.get("intro") is not None:
        problems += text(definition["intro"], "intro", required=False)
    indicator_problems, indicator_ids = _check_indicators(definition.get("indicators", []))
    problems += indicator_problems
    problems += _check_questions(definition.get("questions"), indicator_ids)
    return problems


def _check_format(definition: Mapping[str, Any]) -> list[Problem]:
    if "format" not in definition:
        return [Problem("format", N_("is required"))]
    if definition["format"] != FORMAT:
        return [Problem("format", N_('must be "%(format)s"'), {"format": FORMAT})]
    return []


def _check_code(code: Any) -> list[Problem]:
    if code is None:
        return [Problem("code", N_("is required"))]
    if not isinstance(code, str) or not CODE.match(code) or len(code) > MAX_CODE_LENGTH:
        return [
            Problem(
                "code",
                N_(
                    "must be 1 to %(max)s letters, digits, '.', '_' or '-', "
                    "starting with a letter or digit"
                ),
                {"max": MAX_CODE_LENGTH},
            )
        ]
    return []


def _check_indicators(indicators: Any) -> tuple[list[Problem], set[str] | None]:
    """The problems of the indicators and their ids (None when the list is too broken to
    tell, so that references to them are not reported as well)."""
    if not isinstance(indicators, list):
        return [Problem("indicators", N_("must be a list of indicators"))], None
    problems: list[Problem] = []
    seen: dict[Any, str] = {}
    for index, indicator in enumerate(indicators):
        path = item("indicators", index)
        if not isinstance(indicator, Mapping):
            problems.append(Problem(path, N_("must be an object")))
            continue
        problems += unknown_keys(indicator, INDICATOR_KEYS, path)
        problems += identifier(indicator.get("id"), join(path, "id"))
        problems += duplicate(indicator.get("id"), seen, join(path, "id"), path)
        if "name" in indicator:
            problems += text(indicator["name"], join(path, "name"), max_length=MAX_NAME_LENGTH)
        else:
            problems.append(Problem(join(path, "name"), N_("is required")))
        if "weight" in indicator:
            problems += weight(indicator["weight"], join(path, "weight"), positive=True)
    return problems, set(seen)


def _check_questions(questions: Any, indicator_ids: set[str] | None) -> list[Problem]:
    if questions is None:
        return [Problem("questions", N_("is required"))]
    if not isinstance(questions, list):
        return [Problem("questions", N_("must be a list of questions"))]
    if not questions:
        return [Problem("questions", N_("must have at least one question"))]
    problems: list[Problem] = []
    seen: dict[Any, str] = {}
    #: The questions before the one being checked, by id: (spec, type or None).
    earlier: dict[str, tuple[Mapping[str, Any], FieldType | None]] = {}
    for index, question in enumerate(questions):
        path = item("questions", index)
        if not isinstance(question, Mapping):
            problems.append(Problem(path, N_("must be an object")))
            continue
        kind = FIELD_TYPES.get(question.get("type"))  # type: ignore[arg-type]
        problems += _check_question(question, path, kind, indicator_ids)
        problems += duplicate(question.get("id"), seen, join(path, "id"), path)
        if question.get("condition") is not None:
            problems += _check_condition(question["condition"], join(path, "condition"), earlier)
        question_id = question.get("id")
        if isinstance(question_id, str) and question_id not in earlier:
            earlier[question_id] = (question, kind)
    return problems


def _check_question(
    question: Mapping[str, Any], path: str, kind: FieldType | None, indicator_ids: set[str] | None
) -> list[Problem]:
    problems = unknown_keys(question, QUESTION_KEYS, path)
    problems += identifier(question.get("id"), join(path, "id"))
    type_name = question.get("type")
    if type_name is None:
        problems.append(Problem(join(path, "type"), N_("is required")))
    elif kind is None:
        problems.append(
            Problem(
                join(path, "type"),
                N_("unknown question type %(type)r; the types are: %(types)s"),
                {"type": type_name, "types": ", ".join(QUESTION_TYPES)},
            )
        )
    if "text" in question:
        problems += text(question["text"], join(path, "text"))
    else:
        problems.append(Problem(join(path, "text"), N_("is required")))
    if question.get("help") is not None:
        problems += text(question["help"], join(path, "help"), required=False)
    if "required" in question:
        problems += boolean(question["required"], join(path, "required"))
    if "weight" in question:
        problems += weight(question["weight"], join(path, "weight"), positive=False)
    if kind is not None:
        problems += _check_indicator_reference(question, path, kind, indicator_ids)
        problems += kind.check(question, path)
    return problems


def _check_indicator_reference(
    question: Mapping[str, Any], path: str, kind: FieldType, indicator_ids: set[str] | None
) -> list[Problem]:
    indicator = question.get("indicator")
    indicator_path = join(path, "indicator")
    if not kind.scored:
        if indicator is not None:
            return [
                Problem(
                    indicator_path,
                    N_("a %(type)s question is not scored and cannot have an indicator"),
                    {"type": kind.name},
                )
            ]
        return []
    if indicator is None:
        return [
            Problem(
                indicator_path,
                N_("is required: a %(type)s question is scored"),
                {"type": kind.name},
            )
        ]
    if not isinstance(indicator, str) or (
        indicator_ids is not None and indicator not in indicator_ids
    ):
        return [
            Problem(
                indicator_path,
                N_("no indicator %(indicator)r is declared"),
                {"indicator": indicator},
            )
        ]
    return []


def _check_condition(
    condition: Any,
    path: str,
    earlier: Mapping[str, tuple[Mapping[str, Any], FieldType | None]],
) -> list[Problem]:
    if not isinstance(condition, Mapping):
        return [Problem(path, N_('must be an object {"question": id, "one_of": [option ids]}'))]
    problems = unknown_keys(condition, CONDITION_KEYS, path)
    target = condition.get("question")
    target_path = join(path, "question")
    option_ids: list[str] | None = None
    if target is None:
        problems.append(Problem(target_path, N_("is required")))
    elif not isinstance(target, str) or target not in earlier:
        problems.append(
            Problem(
                target_path,
                N_("must name an earlier question (got %(question)r)"),
                {"question": target},
            )
        )
    else:
        spec, kind = earlier[target]
        if kind is not None and not kind.has_options:
            problems.append(
                Problem(
                    target_path,
                    N_(
                        "question %(question)r is a %(type)s question; a condition needs a "
                        "question answered by choosing options"
                    ),
                    {"question": target, "type": kind.name},
                )
            )
        elif kind is not None:
            option_ids = kind.option_ids(spec)
    one_of = condition.get("one_of")
    one_of_path = join(path, "one_of")
    if not isinstance(one_of, list) or not one_of:
        problems.append(Problem(one_of_path, N_("must list at least one option id")))
        return problems
    listed: set[Any] = set()
    for position, option_id in enumerate(one_of):
        option_path = item(one_of_path, position)
        if not isinstance(option_id, str):
            problems.append(Problem(option_path, N_("must be an option id")))
        elif option_id in listed:
            problems.append(
                Problem(option_path, N_('"%(option)s" is listed twice'), {"option": option_id})
            )
        elif option_ids is not None and option_id not in option_ids:
            problems.append(
                Problem(
                    option_path,
                    N_('question %(question)r has no option "%(option)s"'),
                    {"question": target, "option": option_id},
                )
            )
        listed.add(option_id)
    return problems


def normalise(definition: Any) -> dict[str, Any]:
    """The canonical full form of a valid definition: every default filled in, numbers
    as floats, so that normalise(normalise(x)) == normalise(x). QuestionnaireError if
    `definition` is not valid."""
    problems = validate(definition)
    if problems:
        raise QuestionnaireError(problems)
    return {
        "format": FORMAT,
        "code": definition["code"],
        "title": normal_text(definition["title"]),
        "intro": normal_text(definition.get("intro")),
        "indicators": [
            {
                "id": indicator["id"],
                "name": normal_text(indicator["name"]),
                "weight": float(indicator.get("weight", 1.0)),
            }
            for indicator in definition.get("indicators", [])
        ],
        "questions": [_normal_question(question) for question in definition["questions"]],
    }


def _normal_question(question: Mapping[str, Any]) -> dict[str, Any]:
    kind = field_type(question["type"])
    condition = question.get("condition")
    return {
        "id": question["id"],
        "type": question["type"],
        "text": normal_text(question["text"]),
        "help": normal_text(question.get("help")),
        "required": question.get("required", False),
        "indicator": question.get("indicator"),
        "weight": float_or_none(question.get("weight", 1.0)),
        "scale": kind.scale(question),
        "options": kind.normalise_options(question),
        "condition": (
            {"question": condition["question"], "one_of": list(condition["one_of"])}
            if condition is not None
            else None
        ),
    }


def load(definition: Any) -> Questionnaire:
    """The questionnaire of a definition; QuestionnaireError listing every problem."""
    return Questionnaire.from_normalised(normalise(definition))


def content_hash(definition: Any) -> str:
    """SHA-256 of the normalised definition's canonical JSON: equal for definitions that
    mean the same."""
    return canonical.content_hash(normalise(definition))
