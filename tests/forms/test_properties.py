"""Properties over generated definitions: every valid one normalises idempotently, builds
a form that enforces its conditions, and survives JSON (and XLSForm) with its hash; every
one broken in a known way is refused with a path naming the broken item."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from forms.builder import build_form_class, field_name, validate_submission
from forms.interchange import from_json, from_xlsform, to_json, to_xlsform
from forms.registry import FIELD_TYPES, QUESTION_TYPES, SCORED_TYPES, field_type
from forms.schema import FORMAT, QuestionnaireError, content_hash, load, normalise, validate

FAST = settings(max_examples=50, deadline=None)
FEWER = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

identifiers = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True).filter(
    lambda name: name != "meta"
)
words = (
    st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
#: pyxform reads a non-breaking space as a space, and "${" as a reference, so texts for
#: XLSForm leave them out.
workbook_words = words.filter(lambda word: "\xa0" not in word and "${" not in word)
points = st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def texts(
    draw: st.DrawFn, required: bool = True, wording: st.SearchStrategy[str] = words
) -> dict[str, str]:
    value = {"zh": draw(wording if required else st.one_of(st.just(""), wording))}
    if draw(st.booleans()):
        value["en"] = draw(st.one_of(st.just(""), wording))
    return value


@st.composite
def listed_options(
    draw: st.DrawFn, count: int, scored: bool, wording: st.SearchStrategy[str]
) -> list[dict[str, Any]]:
    ids = draw(st.lists(identifiers, min_size=count + 1, max_size=count + 1, unique=True))
    options = []
    for option_id in ids[:count]:
        option: dict[str, Any] = {"id": option_id, "label": draw(texts(wording=wording))}
        if draw(st.booleans()):
            option["points"] = draw(st.one_of(st.none(), points)) if scored else None
        options.append(option)
    if draw(st.booleans()):
        options.insert(
            draw(st.integers(0, count)),
            {"id": ids[count], "label": draw(texts(wording=wording)), "not_applicable": True},
        )
    return options


SCALE_SIZES = {"satisfaction5": 5, "yes_no": 2, "scale_0_10": 11}


@st.composite
def question_options(
    draw: st.DrawFn, question: dict[str, Any], wording: st.SearchStrategy[str]
) -> list[dict[str, Any]] | None:
    kind = question["type"]
    if kind in ("single_choice", "multiple_choice"):
        count = draw(st.integers(2, 4))
        return draw(listed_options(count, kind == "single_choice", wording))
    if kind in SCALE_SIZES or kind == "rating":
        if draw(st.booleans()):
            return None
        size = SCALE_SIZES.get(kind) or question["scale"]
        return draw(listed_options(size, True, wording))
    return draw(st.sampled_from([None, []]))


@st.composite
def definitions(draw: st.DrawFn, wording: st.SearchStrategy[str] = words) -> dict[str, Any]:
    indicator_ids = draw(st.lists(identifiers, min_size=1, max_size=3, unique=True))
    indicators = []
    for indicator_id in indicator_ids:
        indicator: dict[str, Any] = {"id": indicator_id, "name": draw(texts(wording=wording))}
        if draw(st.booleans()):
            indicator["weight"] = draw(st.floats(min_value=0.001, max_value=100))
        indicators.append(indicator)
    count = draw(st.integers(1, 6))
    question_ids = draw(st.lists(identifiers, min_size=count, max_size=count, unique=True))
    questions: list[dict[str, Any]] = []
    for index, question_id in enumerate(question_ids):
        kind = draw(st.sampled_from(SCORED_TYPES if index == 0 else QUESTION_TYPES))
        question: dict[str, Any] = {
            "id": question_id,
            "type": kind,
            "text": draw(texts(wording=wording)),
        }
        if draw(st.booleans()):
            question["help"] = draw(texts(required=False, wording=wording))
        if draw(st.booleans()):
            question["required"] = draw(st.booleans())
        if draw(st.booleans()):
            question["weight"] = draw(st.floats(min_value=0, max_value=10))
        if FIELD_TYPES[kind].scored:
            question["indicator"] = draw(st.sampled_from(indicator_ids))
        if kind == "rating":
            question["scale"] = draw(st.integers(2, 10))
        options = draw(question_options(question, wording))
        if options is not None:
            question["options"] = options
        choosable = [q for q in questions if FIELD_TYPES[q["type"]].has_options]
        if choosable and draw(st.booleans()):
            target = draw(st.sampled_from(choosable))
            option_ids = field_type(target["type"]).option_ids(target)
            one_of = draw(st.lists(st.sampled_from(option_ids), min_size=1, unique=True))
            question["condition"] = {"question": target["id"], "one_of": one_of}
        questions.append(question)
    definition: dict[str, Any] = {
        "format": FORMAT,
        "code": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)),
        "title": draw(texts(wording=wording)),
        "indicators": indicators,
        "questions": questions,
    }
    if draw(st.booleans()):
        definition["intro"] = draw(texts(required=False, wording=wording))
    return definition


# Valid definitions ----------------------------------------------------------------------


@FAST
@given(definitions())
def test_a_valid_definition_normalises_idempotently_builds_and_survives_json(definition):
    assert validate(definition) == []
    normalised = normalise(definition)
    assert normalise(normalised) == normalised
    assert load(definition).as_definition() == normalised
    for language in ("zh", "en"):
        form = build_form_class(load(definition), language)(MultiDict())
        assert [field.name for field in form] == [
            field_name(question["id"]) for question in definition["questions"]
        ]
        form.validate()
    again = from_json(to_json(definition))
    assert again == normalised
    assert content_hash(again) == content_hash(definition)


def shown_by_reference(questionnaire, data: MultiDict) -> set[str]:
    """The display conditions, evaluated independently of forms.builder."""
    shown: set[str] = set()
    chosen: dict[str, set[str]] = {}
    for question in questionnaire.questions:
        condition = question.condition
        if condition is None or (
            condition.question in shown and chosen[condition.question] & set(condition.one_of)
        ):
            shown.add(question.id)
            chosen[question.id] = set(data.getlist(field_name(question.id))) & set(
                question.option_ids
            )
    return shown


@st.composite
def submissions(draw: st.DrawFn, definition: dict[str, Any]) -> MultiDict:
    data = MultiDict()
    for question in load(definition).questions:
        name = field_name(question.id)
        if question.type == "multiple_choice":
            for option_id in draw(st.lists(st.sampled_from(question.option_ids), unique=True)):
                data.add(name, option_id)
        elif question.options:
            choice = draw(st.one_of(st.none(), st.sampled_from(question.option_ids), identifiers))
            if choice is not None:
                data.add(name, choice)
        elif question.type == "contact_phone":
            data.add(name, draw(st.sampled_from(["", "13812345678", "12345"])))
        else:
            data.add(name, draw(st.one_of(st.just(""), words)))
    return data


@FAST
@given(st.data())
def test_the_server_enforces_display_conditions(data):
    definition = data.draw(definitions())
    questionnaire = load(definition)
    submitted = data.draw(submissions(definition))
    form, answers = validate_submission(submitted, questionnaire, "en")
    shown = shown_by_reference(questionnaire, submitted)
    hidden_fields = {field_name(q.id) for q in questionnaire.questions if q.id not in shown}
    assert not set(form.errors) & hidden_fields, "a hidden question never blocks a submission"
    if answers is None:
        return
    assert set(answers) <= shown, "answers to hidden questions are discarded"
    for question in questionnaire.questions:
        if question.required and question.id in shown:
            assert question.id in answers
        for stored in answers.get(question.id, []):
            if stored["option"] is not None:
                assert stored["points"] == question.option(stored["option"]).points


@FEWER
@given(definitions(workbook_words))
def test_a_valid_definition_survives_xlsform(tmp_path, definition):
    path = tmp_path / "form.xlsx"
    to_xlsform(definition, path)
    assert content_hash(from_xlsform(path)) == content_hash(definition)


# Broken definitions: one strategy per kind of fault ---------------------------------------

Fault = Callable[[st.DataObject, dict[str, Any]], str]


def fresh(existing: list[str], base: str) -> str:
    name = base
    while name in existing:
        name += "x"
    return name


def question_ids(definition: dict[str, Any]) -> list[str]:
    return [question["id"] for question in definition["questions"]]


def pick(data: st.DataObject, items: list[Any]) -> int:
    return data.draw(st.integers(0, len(items) - 1))


def wrong_format(data, definition):
    definition["format"] = data.draw(
        st.one_of(st.text(), st.none(), st.integers()).filter(lambda value: value != FORMAT)
    )
    return "format"


def bad_code(data, definition):
    definition["code"] = data.draw(
        st.sampled_from(["", " x", "-x", "a b", "码", "x" * 65, 3, None])
    )
    return "code"


def unknown_key(data, definition):
    level = data.draw(st.sampled_from(["top", "indicator", "question", "option", "text"]))
    key = data.draw(
        identifiers.filter(
            lambda k: (
                k
                not in {
                    "format",
                    "code",
                    "title",
                    "intro",
                    "indicators",
                    "questions",
                    "id",
                    "name",
                    "weight",
                    "type",
                    "text",
                    "help",
                    "required",
                    "indicator",
                    "scale",
                    "options",
                    "condition",
                    "label",
                    "points",
                    "not_applicable",
                    "zh",
                    "en",
                }
            )
        )
    )
    if level == "top":
        definition[key] = 1
        return key
    if level == "indicator":
        index = pick(data, definition["indicators"])
        definition["indicators"][index][key] = 1
        return f"indicators[{index}].{key}"
    if level == "text":
        index = pick(data, definition["questions"])
        definition["questions"][index]["text"][key] = "x"
        return f"questions[{index}].text.{key}"
    index = pick(data, definition["questions"])
    question = definition["questions"][index]
    if level == "question":
        question[key] = 1
        return f"questions[{index}].{key}"
    question.update(normalise(definition)["questions"][index])
    if not question["options"]:
        index, question = 0, definition["questions"][0]
        question.update(normalise(definition)["questions"][0])
    option = pick(data, question["options"])
    question["options"][option][key] = 1
    return f"questions[{index}].options[{option}].{key}"


def title_without_chinese(data, definition):
    definition["title"].pop("zh")
    return "title.zh"


def indicator_weight(data, definition):
    index = pick(data, definition["indicators"])
    definition["indicators"][index]["weight"] = data.draw(
        st.sampled_from([0, -1, "1", None, True, math.nan, math.inf])
    )
    return f"indicators[{index}].weight"


def indicator_twice(data, definition):
    index = pick(data, definition["indicators"])
    definition["indicators"].append(copy.deepcopy(definition["indicators"][index]))
    return f"indicators[{len(definition['indicators']) - 1}].id"


def unknown_type(data, definition):
    index = pick(data, definition["questions"])
    definition["questions"][index]["type"] = data.draw(
        st.text().filter(lambda name: name not in QUESTION_TYPES)
    )
    return f"questions[{index}].type"


def question_twice(data, definition):
    index = pick(data, definition["questions"])
    definition["questions"].append(copy.deepcopy(definition["questions"][index]))
    return f"questions[{len(definition['questions']) - 1}].id"


def bad_question_id(data, definition):
    index = pick(data, definition["questions"])
    definition["questions"][index]["id"] = data.draw(st.sampled_from(["", "1q", "a b", "题", 7]))
    return f"questions[{index}].id"


def blank_text(data, definition):
    index = pick(data, definition["questions"])
    definition["questions"][index]["text"]["zh"] = data.draw(st.sampled_from(["", " ", "\n"]))
    return f"questions[{index}].text.zh"


def unwritable_text(data, definition):
    index = pick(data, definition["questions"])
    definition["questions"][index]["text"]["zh"] += data.draw(st.sampled_from(["\ud800", "\x00"]))
    return f"questions[{index}].text.zh"


def negative_weight(data, definition):
    index = pick(data, definition["questions"])
    definition["questions"][index]["weight"] = data.draw(
        st.one_of(st.floats(max_value=-0.001), st.sampled_from(["1", None, math.nan]))
    )
    return f"questions[{index}].weight"


def scored_without_indicator(data, definition):
    scored = [i for i, q in enumerate(definition["questions"]) if q["type"] in SCORED_TYPES]
    index = data.draw(st.sampled_from(scored))
    del definition["questions"][index]["indicator"]
    return f"questions[{index}].indicator"


def undeclared_indicator(data, definition):
    declared = [indicator["id"] for indicator in definition["indicators"]]
    definition["questions"][0]["indicator"] = fresh(declared, "undeclared")
    return "questions[0].indicator"


def indicator_on_a_text(data, definition):
    definition["questions"].append(
        {
            "id": fresh(question_ids(definition), "remark"),
            "type": data.draw(st.sampled_from(["comment", "short_text", "contact_phone"])),
            "text": {"zh": "备注"},
            "indicator": definition["indicators"][0]["id"],
        }
    )
    return f"questions[{len(definition['questions']) - 1}].indicator"


def points_out_of_range(data, definition):
    definition["questions"][0] = normalise(definition)["questions"][0]
    options = definition["questions"][0]["options"]
    scored = [i for i, option in enumerate(options) if not option["not_applicable"]]
    index = data.draw(st.sampled_from(scored))
    options[index]["points"] = data.draw(
        st.one_of(
            st.floats(max_value=-1e-9, allow_infinity=False),
            st.floats(min_value=100.000001, allow_infinity=False),
            st.sampled_from(["50", math.inf]),
        )
    )
    return f"questions[0].options[{index}].points"


def not_applicable_with_points(data, definition):
    definition["questions"][0] = normalise(definition)["questions"][0]
    options = definition["questions"][0]["options"]
    options.append(
        {
            "id": fresh([option["id"] for option in options], "unsure"),
            "label": {"zh": "不清楚"},
            "points": data.draw(points),
            "not_applicable": True,
        }
    )
    return f"questions[0].options[{len(options) - 1}].points"


def option_twice(data, definition):
    definition["questions"][0] = normalise(definition)["questions"][0]
    options = definition["questions"][0]["options"]
    options.append(copy.deepcopy(options[pick(data, options)]))
    return f"questions[0].options[{len(options) - 1}].id"


def scale_with_wrong_count(data, definition):
    count = data.draw(st.integers(0, 8).filter(lambda n: n != 5))
    definition["questions"].append(
        {
            "id": fresh(question_ids(definition), "scale"),
            "type": "satisfaction5",
            "text": {"zh": "满意度"},
            "indicator": definition["indicators"][0]["id"],
            "options": [{"id": f"o{n}", "label": {"zh": str(n)}} for n in range(count)],
        }
    )
    return f"questions[{len(definition['questions']) - 1}].options"


def rating_scale_out_of_range(data, definition):
    definition["questions"].append(
        {
            "id": fresh(question_ids(definition), "rate"),
            "type": "rating",
            "text": {"zh": "评分"},
            "indicator": definition["indicators"][0]["id"],
            "scale": data.draw(st.sampled_from([None, 0, 1, 11, 100, "5", 5.5, True])),
        }
    )
    return f"questions[{len(definition['questions']) - 1}].scale"


def choice_without_enough_options(data, definition):
    kind = data.draw(st.sampled_from(["single_choice", "multiple_choice"]))
    question = {
        "id": fresh(question_ids(definition), "choose"),
        "type": kind,
        "text": {"zh": "选择"},
        "options": [{"id": "only", "label": {"zh": "唯一"}}][: data.draw(st.integers(0, 1))],
    }
    if kind == "single_choice":
        question["indicator"] = definition["indicators"][0]["id"]
    definition["questions"].append(question)
    return f"questions[{len(definition['questions']) - 1}].options"


def text_with_options(data, definition):
    definition["questions"].append(
        {
            "id": fresh(question_ids(definition), "note"),
            "type": data.draw(st.sampled_from(["comment", "short_text", "contact_phone"])),
            "text": {"zh": "备注"},
            "options": [{"id": "a", "label": {"zh": "甲"}}],
        }
    )
    return f"questions[{len(definition['questions']) - 1}].options"


def condition_on_a_later_question(data, definition):
    target = definition["questions"][0]
    option_ids = field_type(target["type"]).option_ids(target)
    definition["questions"].insert(
        0,
        {
            "id": fresh(question_ids(definition), "early"),
            "type": "comment",
            "text": {"zh": "提前"},
            "condition": {"question": target["id"], "one_of": option_ids[:1]},
        },
    )
    return "questions[0].condition.question"


def condition_on_a_missing_option(data, definition):
    target = definition["questions"][0]
    option_ids = field_type(target["type"]).option_ids(target)
    definition["questions"].append(
        {
            "id": fresh(question_ids(definition), "later"),
            "type": "comment",
            "text": {"zh": "之后"},
            "condition": {"question": target["id"], "one_of": [fresh(option_ids, "missing")]},
        }
    )
    return f"questions[{len(definition['questions']) - 1}].condition.one_of[0]"


def condition_on_a_text(data, definition):
    text_id = fresh(question_ids(definition), "words")
    definition["questions"].append({"id": text_id, "type": "comment", "text": {"zh": "说"}})
    definition["questions"].append(
        {
            "id": fresh([*question_ids(definition)], "after"),
            "type": "comment",
            "text": {"zh": "后"},
            "condition": {"question": text_id, "one_of": ["x"]},
        }
    )
    return f"questions[{len(definition['questions']) - 1}].condition.question"


def question_not_an_object(data, definition):
    index = pick(data, definition["questions"])
    definition["questions"][index] = data.draw(st.sampled_from(["q", 1, None, []]))
    return f"questions[{index}]"


FAULTS: list[Fault] = [
    wrong_format,
    bad_code,
    unknown_key,
    title_without_chinese,
    indicator_weight,
    indicator_twice,
    unknown_type,
    question_twice,
    bad_question_id,
    blank_text,
    unwritable_text,
    negative_weight,
    scored_without_indicator,
    undeclared_indicator,
    indicator_on_a_text,
    points_out_of_range,
    not_applicable_with_points,
    option_twice,
    scale_with_wrong_count,
    rating_scale_out_of_range,
    choice_without_enough_options,
    text_with_options,
    condition_on_a_later_question,
    condition_on_a_missing_option,
    condition_on_a_text,
    question_not_an_object,
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_broken_definition_is_refused_naming_the_broken_item(fault, data):
    definition = copy.deepcopy(data.draw(definitions()))
    expected = fault(data, definition)
    paths = [problem.path for problem in validate(definition)]
    assert expected in paths
    with pytest.raises(QuestionnaireError) as raised:
        from_json(json.dumps(definition))
    assert expected in [problem.path for problem in raised.value.problems]
